"use server";

import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth";
import { wardenPost } from "@/lib/warden";

/**
 * Delete a user's resource, but only if warden says so. Unauthenticated callers are refused
 * before anything else; then warden decides with the caller's own access token.
 */
export async function deleteUserResource(_previous, formData) {
  const session = await getServerSession(authOptions);
  if (!session) {
    return { ok: false, message: "Not signed in." };
  }
  if (session.error) {
    return { ok: false, message: "Your session has ended. Please sign in again." };
  }
  const id = String(formData.get("resourceId") ?? "").trim() || "r1";
  let answer;
  try {
    answer = await wardenPost(
      "/v1/authorize",
      { action: "deleteUserResource", resource: { type: "UserResource", id } },
      session.accessToken,
    );
  } catch {
    // Fail closed: no answer from warden means no.
    return { ok: false, message: "Authorization service unavailable: nothing was deleted." };
  }
  if (answer.status === 401) {
    return { ok: false, message: "Your session has ended. Please sign in again." };
  }
  if (!answer.ok || !answer.body?.allowed) {
    return { ok: false, message: `Denied: you may not delete resource ${id}.` };
  }
  // ... the actual deletion would happen here ...
  return { ok: true, message: `Deleted resource ${id} (allowed by ${answer.body.reasons.join(", ")}).` };
}
