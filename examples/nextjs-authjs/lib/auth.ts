// Auth.js v5 (next-auth@5) configured against warden with @warden/next/authjs: the Credentials
// provider signs in through POST /v1/auth/login (with the app's client key and the end user's
// address); the jwt callback keeps warden's tokens in Auth.js's encrypted JWT cookie and
// refreshes WARDEN_REFRESH_MARGIN_SECONDS before expiry only inside the route handlers
// (app/api/auth/[...nextauth]/route.ts); middleware.ts refreshes ahead of the margin on every
// page and server action. `auth()` never rotates: next-auth@5 drops the cookie it would set
// there. The session callback exposes id, name, email, role, roles, expiry and error, no token.
import NextAuth from "next-auth";
import { wardenCredentials, wardenJwt, wardenSession } from "@warden/next/authjs";

export const { handlers, auth, signIn, signOut } = NextAuth({
  session: { strategy: "jwt" },
  pages: { signIn: "/signin" },
  providers: [wardenCredentials()],
  callbacks: { jwt: wardenJwt(), session: wardenSession() },
});
