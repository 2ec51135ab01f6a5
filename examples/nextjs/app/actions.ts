"use server";

import { isWardenDeniedError, requireAllowed } from "@warden/next";
import { getWardenToken } from "@warden/next/server";

export type ActionResult = { ok: boolean; message: string };

/**
 * Delete a user's resource, but only if warden says so. Unauthenticated callers are refused
 * before anything else; then warden decides with the caller's own access token (read on the
 * server from NextAuth's encrypted cookie: the browser never sees it), and anything but an
 * allow (a deny, a dead session, warden unreachable) refuses.
 */
export async function deleteUserResource(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const access = await getWardenToken();
  if (!access) {
    return { ok: false, message: "Not signed in." };
  }
  const id = String(formData.get("resourceId") ?? "").trim() || "r1";
  try {
    const decision = await requireAllowed(access, "deleteUserResource", { type: "UserResource", id });
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
