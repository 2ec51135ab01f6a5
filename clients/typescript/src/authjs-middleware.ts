// Auth.js v5: refresh in Next.js middleware, ahead of the margin, so that Server Components and
// server actions (where `auth()` never stores a cookie, so nothing may rotate) read a fresh
// access token. The answer sets the rotated cookie, and the page rendered for the same request
// gets it too (v5's own `auth` middleware sets it on the answer only). Edge runtime: no
// Node-only imports, and nothing from next-auth: pass `encode` and `decode` from `next-auth/jwt`.
//
// ```ts
// // middleware.ts
// import { NextResponse, type NextRequest } from "next/server";
// import { decode, encode } from "next-auth/jwt";
// import { refreshSessionCookie } from "@warden/next/authjs/middleware";
//
// export async function middleware(req: NextRequest) {
//   const refreshed = await refreshSessionCookie(req, { encode, decode });
//   if (!refreshed) return NextResponse.next();
//   const headers = new Headers(req.headers);
//   headers.set("cookie", refreshed.requestCookie);      // the page sees the new token
//   const res = NextResponse.next({ request: { headers } });
//   res.cookies.set(refreshed.cookie.name, refreshed.cookie.value, refreshed.cookie.options);
//   return res;
// }
// export const config = { matcher: ["/((?!api/auth|_next/static|_next/image|favicon.ico).*)"] };
// ```
//
// Do not call it inside v5's `auth((req) => ...)` middleware wrapper: that wrapper appends the
// cookie it re-encoded from the old token after yours, and the browser keeps the last one.

import { WardenClient, clientAddress, wardenClient, type AddressOf, type HeaderSource } from "./client.js";
import { refreshDue, refreshMargin, refreshToken, type RefreshSingleFlight, type WardenToken } from "./refresh.js";
import { cookieList, readSessionCookie, type AuthjsDecode, type AuthjsEncode, type CookieSource } from "./authjs-cookie.js";

export { AUTHJS_SESSION_COOKIE, AUTHJS_SECURE_SESSION_COOKIE, type AuthjsDecode, type AuthjsEncode } from "./authjs-cookie.js";

export interface MiddlewareRequest {
  headers: HeaderSource;
  cookies: CookieSource;
}

export interface RefreshSessionCookieOptions {
  /** `encode` and `decode` from `next-auth/jwt` (or the app's own `jwt.encode`/`decode`). */
  encode: AuthjsEncode;
  decode: AuthjsDecode;
  client?: WardenClient;
  /** Auth.js's secret(s) (default `AUTH_SECRET` with `AUTH_SECRET_1..3`, else `NEXTAUTH_SECRET`). */
  secret?: string | string[];
  /** The session cookie (default: `__Secure-authjs.session-token` when present, else `authjs.session-token`). */
  cookieName?: string;
  /** The session's life, Auth.js's `session.maxAge` (its default: 30 days). */
  maxAgeSeconds?: number;
  /** The same margin as `wardenJwt` (default `WARDEN_REFRESH_MARGIN_SECONDS`, else 60). */
  refreshMarginSeconds?: number;
  clientAddress?: AddressOf;
  flight?: RefreshSingleFlight;
  now?: () => number;
}

export interface RefreshedSessionCookie {
  /** Set it on the response. */
  cookie: {
    name: string;
    value: string;
    options: { httpOnly: true; sameSite: "lax"; path: "/"; secure: boolean; maxAge: number };
  };
  /** The request's `Cookie` header with the new session cookie, for the page rendered next. */
  requestCookie: string;
  token: WardenToken;
}

/**
 * If Auth.js's session cookie holds an access token within the margin of its expiry, refresh
 * it (one refresh per refresh token at a time in this process; warden gives concurrent
 * refreshes from other processes the same successor) and return the new cookie; otherwise
 * `null` (nothing to do, nobody signed in, warden unreachable, or a chunked cookie, left to
 * Auth.js's route). A refused refresh is written too (`error: "RefreshAccessTokenError"`).
 */
export async function refreshSessionCookie(
  req: MiddlewareRequest,
  options: RefreshSessionCookieOptions,
): Promise<RefreshedSessionCookie | null> {
  const read = await readSessionCookie(req.cookies, options);
  if (!read || read.chunked) return null;
  const now = (options.now ?? Date.now)();
  if (!refreshDue(read.token, refreshMargin(options.refreshMarginSeconds), now)) return null;
  const refreshed = await refreshToken(read.token, {
    client: options.client ?? wardenClient(),
    flight: options.flight,
    clientIp: (options.clientAddress ?? clientAddress)(req.headers),
  });
  if (refreshed === read.token) return null; // warden unreachable: the token is unchanged
  const maxAge = options.maxAgeSeconds ?? 30 * 24 * 60 * 60;
  const { iat: _iat, exp: _exp, jti: _jti, ...claims } = refreshed;
  const value = await options.encode({ token: claims, secret: read.secrets, salt: read.name, maxAge });
  const requestCookie = cookieList(req.cookies)
    .map((c) => `${c.name}=${c.name === read.name ? value : encodeURIComponent(c.value)}`)
    .join("; ");
  return {
    cookie: {
      name: read.name,
      value,
      options: { httpOnly: true, sameSite: "lax", path: "/", secure: read.name.startsWith("__Secure-"), maxAge },
    },
    requestCookie,
    token: refreshed,
  };
}
