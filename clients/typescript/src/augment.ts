// The NextAuth (v4) and Auth.js (v5) type augmentation for what warden's helpers put in the
// session and the JWT, shipped so that an app compiles under `strict` without writing it by
// hand. It is loaded with the entry points that use those fields (`@warden/next`,
// `@warden/next/authjs`, `@warden/next/server`): importing one of them is enough.
//
// Both majors declare `Session` in "next-auth" and `JWT` in "next-auth/jwt", so one
// augmentation serves both. The `user` field's type is exactly the one the examples used to
// declare by hand: an app that still has that declaration keeps compiling (identical
// redeclarations merge; a different one would be an error).

import type { DefaultSession } from "next-auth";
import type { WardenToken } from "./refresh.js";

/** The user of the session `wardenSession()` builds (NextAuth v4 and Auth.js v5). */
export type WardenSessionUser = DefaultSession["user"] & { id?: string; role?: string | null; roles?: string[] };

declare module "next-auth" {
  interface Session {
    user: DefaultSession["user"] & { id?: string; role?: string | null; roles?: string[] };
    /** The access token's expiry, epoch seconds (the token itself stays on the server). */
    expiresAt?: number;
    /** Sign in again: warden refused the refresh token, or the provider's token. */
    error?: "RefreshAccessTokenError" | "ExchangeError";
  }
}

declare module "next-auth/jwt" {
  // warden's tokens, in NextAuth's encrypted JWT cookie (never in the session JSON).
  interface JWT {
    accessToken?: WardenToken["accessToken"];
    refreshToken?: WardenToken["refreshToken"];
    expiresAt?: WardenToken["expiresAt"];
    role?: WardenToken["role"];
    roles?: WardenToken["roles"];
    error?: WardenToken["error"];
  }
}
