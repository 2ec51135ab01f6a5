// NextAuth (v4) configured against warden with @warden/next: the CredentialsProvider signs in
// through POST /v1/auth/login; the jwt callback keeps warden's access token, role, refresh
// token and expiry in NextAuth's encrypted JWT cookie and refreshes (one refresh at a time)
// WARDEN_REFRESH_MARGIN_SECONDS before expiry, but only inside NextAuth's route handler
// (wardenAuthHandler in app/api/auth/[...nextauth]/route.ts) or middleware (middleware.ts),
// where the rotated refresh token reaches the cookie, never in a Server Component. The
// session callback exposes the role and any refresh error, never a token: server code reads
// the token with getWardenToken() (@warden/next/server).
//
// WARDEN_URL is warden's URL. With WARDEN_CLIENT_KEY (a key from `warden client add nextjs`),
// sign-in, refresh and decisions carry the end user's address, so warden throttles each
// user on their own address rather than everyone on this server's.

import type { NextAuthOptions } from "next-auth";
import { wardenCredentials, wardenJwt, wardenSession } from "@warden/next";

export const authOptions: NextAuthOptions = {
  session: { strategy: "jwt" },
  pages: { signIn: "/" },
  providers: [wardenCredentials()],
  callbacks: { jwt: wardenJwt(), session: wardenSession() },
};
