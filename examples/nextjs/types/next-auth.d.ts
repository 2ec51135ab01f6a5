// What @warden/next's session callback adds to NextAuth's session.
import type { DefaultSession } from "next-auth";

declare module "next-auth" {
  interface Session {
    user: DefaultSession["user"] & { id?: string; role?: string | null; roles?: string[] };
    accessToken?: string;
    expiresAt?: number;
    error?: "RefreshAccessTokenError" | "ExchangeError";
  }
}
