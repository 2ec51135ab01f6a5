// NextAuth (v4) configured against warden: a CredentialsProvider that signs in through
// POST /v1/auth/login, a jwt callback that keeps warden's access token, role, refresh token
// and expiry and refreshes through POST /v1/auth/refresh before expiry, and a session
// callback that exposes the role (and any refresh error) to the app.

import CredentialsProvider from "next-auth/providers/credentials";
import { wardenPost } from "./warden";

// Refresh this many seconds before the access token expires. The client polls the session
// (see app/providers.js), which runs the jwt callback and stores the rotated tokens.
const REFRESH_MARGIN = Number(process.env.WARDEN_REFRESH_MARGIN_SECONDS ?? 90);

async function refreshAccessToken(token) {
  try {
    const { ok, body } = await wardenPost("/v1/auth/refresh", { refresh_token: token.refreshToken });
    if (!ok || !body) {
      // invalid_grant: the session is over (signed out, revoked, expired). Ask to sign in again.
      return { ...token, error: "RefreshAccessTokenError" };
    }
    return {
      ...token,
      accessToken: body.token,
      refreshToken: body.refresh_token,
      expiresAt: body.expires_at,
      role: body.role,
      error: undefined,
    };
  } catch {
    // warden unreachable: keep the token; the next poll tries again.
    return token;
  }
}

export const authOptions = {
  session: { strategy: "jwt" },
  pages: { signIn: "/" },
  providers: [
    CredentialsProvider({
      name: "warden",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials) {
        const res = await fetch(`${process.env.WARDEN_URL ?? "http://127.0.0.1:8080"}/v1/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: credentials?.email, password: credentials?.password }),
          cache: "no-store",
        });
        const user = await res.json();
        if (res.ok && user) return user;
        return null;
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) {
        // First sign-in: `user` is warden's login answer.
        return {
          ...token,
          sub: user.id,
          accessToken: user.token,
          refreshToken: user.refresh_token,
          expiresAt: user.expires_at,
          role: user.role,
          error: undefined,
        };
      }
      if (token.error) return token;
      if (Date.now() / 1000 < token.expiresAt - REFRESH_MARGIN) return token;
      return refreshAccessToken(token);
    },
    async session({ session, token }) {
      session.user = { ...session.user, id: token.sub, role: token.role };
      session.accessToken = token.accessToken;
      session.expiresAt = token.expiresAt;
      session.error = token.error;
      return session;
    },
  },
};
