// NextAuth (v4) configured against warden with @warden/next: the CredentialsProvider signs in
// through POST /v1/auth/login; the jwt callback keeps warden's access token, role, refresh
// token and expiry, and refreshes (one refresh at a time) WARDEN_REFRESH_MARGIN_SECONDS before
// expiry; the session callback exposes the role and any refresh error. warden's URL is
// WARDEN_URL.

import type { NextAuthOptions } from "next-auth";
import { wardenCredentials, wardenJwt, wardenSession } from "@warden/next";

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt" },
  pages: { signIn: "/" },
  providers: [wardenCredentials()],
  callbacks: { jwt: wardenJwt(), session: wardenSession() },
};
