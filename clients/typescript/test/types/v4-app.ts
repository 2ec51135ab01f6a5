// A NextAuth v4 app's first files, compiled under `strict` with no declaration of its own
// (test/types/tsconfig.v4.json). The session fields come from the package's augmentation,
// and no helper may be `any`.
import NextAuth, { getServerSession, type NextAuthOptions } from "next-auth";
import type { JWT } from "next-auth/jwt";
import { isWardenDeniedError, requireAllowed, wardenCredentials, wardenJwt, wardenSession, type Decision } from "@warden/next";
import { getWardenToken } from "@warden/next/server";
import { notAny } from "./not-any.js";

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt" },
  providers: [wardenCredentials()],
  callbacks: { jwt: wardenJwt(), session: wardenSession() },
};
export const handler = NextAuth(authOptions);

notAny(wardenCredentials);
notAny(wardenJwt());
notAny(wardenSession());
notAny(getWardenToken);
notAny(requireAllowed);

/** The JWT's warden fields are typed too (they stay on the server). */
export function expiry(token: JWT): number | undefined {
  return token.error ? undefined : token.expiresAt;
}

export async function greeting(): Promise<string> {
  const session = await getServerSession(authOptions);
  if (!session) return "Not signed in";
  const id: string | undefined = session.user.id;
  const role: string | null | undefined = session.user.role;
  const expiresAt: number | undefined = session.expiresAt;
  return `${session.user.name ?? id} (${role ?? "none"}, until ${expiresAt})`;
}

export async function deleteUserResource(formData: FormData): Promise<{ ok: boolean; message: string }> {
  "use server";
  const access = await getWardenToken();
  if (!access) return { ok: false, message: "Not signed in." };
  try {
    const decision: Decision = await requireAllowed(access, "deleteUserResource", {
      type: "UserResource",
      id: String(formData.get("resourceId") ?? "r1"),
    });
    return { ok: true, message: decision.reasons.join(", ") };
  } catch (e) {
    if (!isWardenDeniedError(e)) throw e;
    return { ok: false, message: "Denied." };
  }
}
