// An Auth.js v5 (next-auth@5) app's first files, as a new app-router project writes them,
// compiled under `strict` with no declaration of its own (test/types/tsconfig.v5.json maps
// "next-auth" to next-auth@5). The session fields come from the package's augmentation, and
// no helper may be `any`.
import NextAuth from "next-auth";
import { decode } from "next-auth/jwt";
import { createGetWardenToken, wardenCredentials, wardenJwt, wardenSession } from "@warden/next/authjs";
import { isWardenDeniedError, requireAllowed, type Decision } from "@warden/next";
import { notAny } from "./not-any.js";

export const { handlers, auth, signIn, signOut } = NextAuth({
  session: { strategy: "jwt" },
  providers: [wardenCredentials()],
  callbacks: { jwt: wardenJwt(), session: wardenSession() },
});

export const getWardenToken = createGetWardenToken({ decode });

notAny(wardenCredentials);
notAny(wardenJwt());
notAny(wardenSession());
notAny(getWardenToken);
notAny(requireAllowed);

/** A page's greeting: the session's fields are typed without a hand-written declaration. */
export async function greeting(): Promise<string> {
  const session = await auth();
  if (!session) return "Not signed in";
  const id: string | undefined = session.user.id;
  const role: string | null | undefined = session.user.role;
  const roles: string[] | undefined = session.user.roles;
  const expiresAt: number | undefined = session.expiresAt;
  if (session.error === "RefreshAccessTokenError") return "Sign in again";
  return `${session.user.name ?? session.user.email ?? id} (${role ?? roles?.join(",") ?? "none"}, until ${expiresAt})`;
}

/** The first server action: warden decides with the caller's own token. */
export async function deleteUserResource(formData: FormData): Promise<{ ok: boolean; message: string }> {
  "use server";
  const access = await getWardenToken();
  if (!access) return { ok: false, message: "Not signed in." };
  const id = String(formData.get("resourceId") ?? "r1");
  try {
    const decision: Decision = await requireAllowed(access, "deleteUserResource", { type: "UserResource", id });
    return { ok: true, message: decision.reasons.join(", ") };
  } catch (e) {
    if (!isWardenDeniedError(e)) throw e;
    return { ok: false, message: e.unauthenticated ? "Sign in again." : "Denied." };
  }
}
