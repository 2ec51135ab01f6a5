// What @warden/next/authjs's session callback puts in Auth.js's session: what a UI needs, no
// token (warden's tokens stay in the encrypted JWT cookie; server code reads them with
// getWardenToken() from lib/warden.ts).
import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: DefaultSession["user"] & { id?: string; role?: string | null; roles?: string[] };
    expiresAt?: number;
    error?: "RefreshAccessTokenError" | "ExchangeError";
  }
}
