// Refresh in Next.js middleware, ahead of the margin, so that Server Components and server
// actions always see a fresh access token. Middleware is a place where the rotated refresh
// token can be stored: its answer sets the session cookie, and it passes the new cookie on to
// the page rendered for the same request. Runs in the Edge runtime (no Node-only imports).
//
// ```ts
// // middleware.ts
// import { NextResponse, type NextRequest } from "next/server";
// import { refreshSessionCookie } from "@warden/next/middleware";
//
// export async function middleware(req: NextRequest) {
//   const refreshed = await refreshSessionCookie(req);
//   if (!refreshed) return NextResponse.next();
//   const headers = new Headers(req.headers);
//   headers.set("cookie", refreshed.requestCookie);      // the page sees the new token
//   const res = NextResponse.next({ request: { headers } });
//   res.cookies.set(refreshed.cookie.name, refreshed.cookie.value, refreshed.cookie.options);
//   return res;
// }
// export const config = { matcher: ["/((?!api/auth|_next/static|_next/image|favicon.ico).*)"] };
// ```

import { encode, getToken } from "next-auth/jwt";
import { WardenClient, clientAddress, wardenClient, type HeaderSource } from "./client.js";
import type { AddressOf } from "./nextauth.js";
import { refreshDue, refreshMargin, refreshToken, type RefreshSingleFlight, type WardenToken } from "./refresh.js";

export interface MiddlewareRequest {
  headers: HeaderSource;
  cookies: { getAll(): { name: string; value: string }[] };
}

export interface RefreshSessionCookieOptions {
  client?: WardenClient;
  /** NextAuth's secret (default `NEXTAUTH_SECRET`, else `AUTH_SECRET`). */
  secret?: string;
  /** next-auth's session cookie: name, `__Secure-` prefix, life (its defaults: 30 days). */
  cookieName?: string;
  secureCookie?: boolean;
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
 * If the session cookie's access token is within the margin of its expiry, refresh it (one
 * refresh per refresh token at a time) and return the new cookie; otherwise `null` (nothing to
 * do, nobody signed in, warden unreachable, or a chunked cookie, left to NextAuth's route).
 */
export async function refreshSessionCookie(
  req: MiddlewareRequest,
  options: RefreshSessionCookieOptions = {},
): Promise<RefreshedSessionCookie | null> {
  const env = globalThis.process?.env ?? {};
  const secret = options.secret ?? env.NEXTAUTH_SECRET ?? env.AUTH_SECRET;
  if (!secret) return null;
  const secureCookie = options.secureCookie ?? (env.NEXTAUTH_URL?.startsWith("https://") || !!env.VERCEL);
  const name = options.cookieName ?? (secureCookie ? "__Secure-next-auth.session-token" : "next-auth.session-token");
  const all = req.cookies.getAll();
  // A cookie too large for one (`name.0`, `name.1`, ...): NextAuth's own route rewrites those.
  if (!all.some((c) => c.name === name)) return null;
  const token = (await getToken({
    req: { cookies: Object.fromEntries(all.map((c) => [c.name, c.value])), headers: {} } as Parameters<typeof getToken>[0]["req"],
    secret,
    cookieName: name,
    secureCookie,
  })) as (WardenToken & Record<string, unknown>) | null;
  if (!token) return null;
  const now = (options.now ?? Date.now)();
  if (!refreshDue(token, refreshMargin(options.refreshMarginSeconds), now)) return null;
  const refreshed = await refreshToken(token, {
    client: options.client ?? wardenClient(),
    flight: options.flight,
    clientIp: (options.clientAddress ?? clientAddress)(req.headers),
  });
  if (refreshed === token) return null; // warden unreachable: the token is unchanged
  const maxAge = options.maxAgeSeconds ?? 30 * 24 * 60 * 60;
  const { iat: _iat, exp: _exp, jti: _jti, ...claims } = refreshed;
  const value = await encode({ token: claims, secret, maxAge });
  const requestCookie = all
    .map((c) => `${c.name}=${c.name === name ? value : encodeURIComponent(c.value)}`)
    .join("; ");
  return {
    cookie: { name, value, options: { httpOnly: true, sameSite: "lax", path: "/", secure: secureCookie, maxAge } },
    requestCookie,
    token: refreshed,
  };
}
