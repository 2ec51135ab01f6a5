// Server-side access to warden's token: read from NextAuth's encrypted JWT cookie (next-auth's
// `getToken`), never from the session the browser sees. For server actions, route handlers,
// Server Components and middleware. Nothing here refreshes: reading is safe anywhere.

import { getToken } from "next-auth/jwt";
import { clientAddress, type HeaderSource } from "./client.js";
import type { AddressOf } from "./nextauth.js";
import type { WardenToken } from "./refresh.js";

/** What server code needs to ask warden: the token, the user, the end user's address. */
export interface WardenAccess {
  /** warden's access token; absent when expired, refused or never issued (see `error`). */
  accessToken?: string;
  /** The access token's expiry, epoch seconds. */
  expiresAt?: number;
  /**
   * `AccessTokenExpired`: the cookie's access token has expired and this request cannot
   * refresh it (no middleware refreshed it; a Server Component must not rotate): render again
   * after the browser refreshed the session (`useSession().update()`, then `router.refresh()`).
   * `RefreshAccessTokenError` / `ExchangeError`: the session is over, sign in again.
   */
  error?: WardenToken["error"] | "AccessTokenExpired";
  /** The end user's address (sent to warden with a client key). */
  clientIp?: string;
  user: { id?: string; email?: string | null; name?: string | null; role?: string | null; roles: string[] };
}

/** The request parts read: its cookies (a record, a `Map` or Next's `RequestCookies`) and headers. */
export interface RequestLike {
  cookies: unknown;
  headers?: HeaderSource;
}

export interface GetWardenTokenOptions {
  /** NextAuth's secret (default `NEXTAUTH_SECRET`, else `AUTH_SECRET`). */
  secret?: string;
  /** The session cookie's name and whether it is the `__Secure-` one (next-auth's defaults). */
  cookieName?: string;
  secureCookie?: boolean;
  /** NextAuth's `jwt.decode`, if the app replaced it. */
  decode?: Parameters<typeof getToken>[0]["decode"];
  clientAddress?: AddressOf;
  /** The clock, in epoch milliseconds (tests). */
  now?: () => number;
}

/**
 * warden's token for this request, decrypted from NextAuth's session cookie, or `null` when
 * nobody is signed in. Without `req`, reads the current request through `next/headers`
 * (Server Components, server actions, route handlers of the app router); pass `req` in
 * middleware, the pages router or anything else. Pass the result to `authorize`,
 * `authorizeMany`, `requireAllowed` and `plan`.
 */
export async function getWardenToken(req?: RequestLike, options: GetWardenTokenOptions = {}): Promise<WardenAccess | null> {
  const request = req ?? (await currentRequest());
  // Only the cookie: next-auth's getToken would also decode an `Authorization: Bearer` header
  // as a session, and that header is the caller's to choose.
  const token = (await getToken({
    req: { cookies: request.cookies, headers: {} } as Parameters<typeof getToken>[0]["req"],
    secret: options.secret,
    ...(options.cookieName !== undefined && { cookieName: options.cookieName }),
    ...(options.secureCookie !== undefined && { secureCookie: options.secureCookie }),
    ...(options.decode !== undefined && { decode: options.decode }),
  })) as (WardenToken & Record<string, unknown>) | null;
  if (!token) return null;
  const access: WardenAccess = {
    expiresAt: token.expiresAt,
    user: { id: token.sub, email: token.email, name: token.name, role: token.role ?? null, roles: token.roles ?? [] },
  };
  const clientIp = (options.clientAddress ?? clientAddress)(request.headers);
  if (clientIp) access.clientIp = clientIp;
  if (token.error) {
    access.error = token.error;
  } else if (!token.accessToken) {
    access.error = "RefreshAccessTokenError";
  } else if (typeof token.expiresAt === "number" && (options.now ?? Date.now)() / 1000 >= token.expiresAt) {
    access.error = "AccessTokenExpired";
  } else {
    access.accessToken = token.accessToken;
  }
  return access;
}

async function currentRequest(): Promise<RequestLike> {
  // Loaded only when needed, so that this module also works outside Next.js (given `req`).
  // @ts-ignore: `next` is the app's dependency, not this package's.
  const mod = (await import("next/headers")) as {
    cookies(): unknown;
    headers(): unknown;
  };
  // Next 14 answers synchronously, Next 15 with a promise: `await` serves both.
  return { cookies: await mod.cookies(), headers: (await mod.headers()) as HeaderSource };
}
