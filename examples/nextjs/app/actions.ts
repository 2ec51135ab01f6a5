"use server";

import { getServerSession } from "next-auth";
import { isWardenDeniedError, requireAllowed } from "@warden/next";
import { authOptions } from "@/lib/auth";

export type ActionResult = { ok: boolean; message: string };

/**
 * Delete a user's resource, but only if warden says so. Unauthenticated callers are refused
 * before anything else; then warden decides with the caller's own access token, and anything
 * but an allow (a deny, a dead session, warden unreachable) refuses.
 */
export async function deleteUserResource(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const session = await getServerSession(authOptions);
  if (!session) {
    return { ok: false, message: "Not signed in." };
  }
  const id = String(formData.get("resourceId") ?? "").trim() || "r1";
  try {
    const decision = await requireAllowed(session, "deleteUserResource", { type: "UserResource", id });
    // ... the actual deletion would happen here ...
    return { ok: true, message: `Deleted resource ${id} (allowed by ${decision.reasons.join(", ")}).` };
  } catch (e) {
    if (!isWardenDeniedError(e)) throw e;
    if (e.unauthenticated) {
      return { ok: false, message: "Your session has ended. Please sign in again." };
    }
    if (e.errors.length > 0 && e.reasons.length === 0) {
      return { ok: false, message: `Denied: you may not delete resource ${id} (${e.errors[0]}).` };
    }
    return { ok: false, message: `Denied: you may not delete resource ${id}.` };
  }
}
