"use server";

import { AuthError } from "next-auth";
import { isWardenDeniedError, requireAllowed } from "@warden/next";
import { signIn, signOut } from "@/lib/auth";
import { getWardenToken } from "@/lib/warden";

export type ActionResult = { ok: boolean; message: string };

/** Sign in through Auth.js (its Credentials provider asks warden); an error message on refusal. */
export async function signInAction(_previous: string | null, formData: FormData): Promise<string | null> {
  try {
    await signIn("credentials", { email: formData.get("email"), password: formData.get("password"), redirectTo: "/" });
    return null;
  } catch (e) {
    // A successful sign-in redirects (Next's redirect is thrown too: rethrown below).
    if (e instanceof AuthError) return "Invalid email or password.";
    throw e;
  }
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/signin" });
}

/**
 * Delete a user's resource, but only if warden says so, with the caller's own access token
 * read on the server from Auth.js's encrypted cookie. Anything but an allow refuses.
 */
export async function deleteUserResource(_previous: ActionResult | null, formData: FormData): Promise<ActionResult> {
  const access = await getWardenToken();
  if (!access) return { ok: false, message: "Not signed in." };
  const id = String(formData.get("resourceId") ?? "").trim() || "r1";
  try {
    const decision = await requireAllowed(access, "deleteUserResource", { type: "UserResource", id });
    return { ok: true, message: `Deleted resource ${id} (allowed by ${decision.reasons.join(", ")}).` };
  } catch (e) {
    if (!isWardenDeniedError(e)) throw e;
    if (e.unauthenticated) return { ok: false, message: "Your session has ended. Please sign in again." };
    return { ok: false, message: `Denied: you may not delete resource ${id}.` };
  }
}
