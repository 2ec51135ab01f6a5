// Server-side access to warden's token: read from NextAuth's encrypted JWT cookie (next-auth's
// `getToken`), never from the session the browser sees. For server actions, route handlers,
// Server Components and middleware. Nothing here refreshes: reading is safe anywhere.

import { getToken } from "next-auth/jwt";
import { clientAddress, type HeaderSource } from "./client.js";
import type { AddressOf } from "./nextauth.js";
import type { WardenToken } from "./refresh.js";
import { accessOf, type WardenAccess } from "./authjs-cookie.js";

export type { WardenAccess };

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
  return accessOf(token, (options.clientAddress ?? clientAddress)(request.headers), (options.now ?? Date.now)());
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
