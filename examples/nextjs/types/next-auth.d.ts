// What @warden/next's session callback adds to NextAuth's session: what a UI needs, no token
// (warden's tokens stay in the encrypted JWT cookie; server code reads them with
// getWardenToken() from @warden/next/server).
import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: DefaultSession["user"] & { id?: string; role?: string | null; roles?: string[] };
    expiresAt?: number;
    error?: "RefreshAccessTokenError" | "ExchangeError";
  }
}
