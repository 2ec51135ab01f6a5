// Auth.js v5's session cookie, read and written with the app's own `decode`/`encode`
// (`next-auth/jwt`): its name is `authjs.session-token` (`__Secure-authjs.session-token` over
// HTTPS), and the name is the salt of the key derivation. A cookie too large for one is split
// into `name.0`, `name.1`, ... No Node-only imports: middleware (Edge runtime) uses it too.

import type { WardenToken } from "./refresh.js";

export const AUTHJS_SESSION_COOKIE = "authjs.session-token";
export const AUTHJS_SECURE_SESSION_COOKIE = "__Secure-authjs.session-token";

/** Auth.js's `decode` (`next-auth/jwt`, `@auth/core/jwt`): `null` or a throw for a bad cookie. */
export type AuthjsDecode = (params: { token?: string; secret: string | string[]; salt: string }) => Promise<Record<string, unknown> | null>;
/** Auth.js's `encode` (`next-auth/jwt`, `@auth/core/jwt`). */
export type AuthjsEncode = (params: { token?: Record<string, unknown>; secret: string | string[]; salt: string; maxAge?: number }) => Promise<string>;

/** Cookies as a record, a `Map`, or Next's `RequestCookies` / `ReadonlyRequestCookies`. */
export type CookieSource =
  | { getAll(): { name: string; value: string }[] }
  | Map<string, string>
  | Record<string, string | undefined>;

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

/** The access a decoded session token gives (nothing refreshed). */
export function accessOf(token: WardenToken, clientIp: string | undefined, nowMs: number): WardenAccess {
  const access: WardenAccess = {
    expiresAt: token.expiresAt,
    user: { id: token.sub, email: token.email, name: token.name, role: token.role ?? null, roles: token.roles ?? [] },
  };
  if (clientIp) access.clientIp = clientIp;
  if (token.error) {
    access.error = token.error;
  } else if (!token.accessToken) {
    access.error = "RefreshAccessTokenError";
  } else if (typeof token.expiresAt === "number" && nowMs / 1000 >= token.expiresAt) {
    access.error = "AccessTokenExpired";
  } else {
    access.accessToken = token.accessToken;
  }
  return access;
}

export function cookieList(cookies: CookieSource | null | undefined): { name: string; value: string }[] {
  if (!cookies) return [];
  if (typeof (cookies as { getAll?: unknown }).getAll === "function") {
    return (cookies as { getAll(): { name: string; value: string }[] }).getAll();
  }
  const entries = cookies instanceof Map ? [...cookies] : Object.entries(cookies);
  return entries.filter((e): e is [string, string] => typeof e[1] === "string").map(([name, value]) => ({ name, value }));
}

/** The secrets Auth.js uses: `AUTH_SECRET_3..1` then `AUTH_SECRET` (first one encodes), else `NEXTAUTH_SECRET`. */
export function authjsSecrets(given?: string | string[]): string[] {
  if (given !== undefined) return (Array.isArray(given) ? given : [given]).filter(Boolean);
  const env = globalThis.process?.env ?? {};
  const found = [env.AUTH_SECRET_3, env.AUTH_SECRET_2, env.AUTH_SECRET_1, env.AUTH_SECRET].filter((s): s is string => !!s);
  if (found.length === 0 && env.NEXTAUTH_SECRET) found.push(env.NEXTAUTH_SECRET);
  return found;
}

export interface ReadOptions {
  decode: AuthjsDecode;
  secret?: string | string[];
  cookieName?: string;
}

export interface SessionCookie {
  name: string;
  /** Whether the cookie is split into chunks (`name.0`, `name.1`, ...). */
  chunked: boolean;
  token: WardenToken & Record<string, unknown>;
  secrets: string[];
}

/** The decoded session cookie, or `null` (none, no secret, or a cookie that does not decode). */
export async function readSessionCookie(cookies: CookieSource | null | undefined, options: ReadOptions): Promise<SessionCookie | null> {
  const secrets = authjsSecrets(options.secret);
  if (secrets.length === 0) return null;
  const all = cookieList(cookies);
  const names = options.cookieName ? [options.cookieName] : [AUTHJS_SECURE_SESSION_COOKIE, AUTHJS_SESSION_COOKIE];
  for (const name of names) {
    let value = all.find((c) => c.name === name)?.value;
    let chunked = false;
    if (value === undefined) {
      const chunks = all
        .map((c) => ({ n: c.name.startsWith(`${name}.`) ? Number(c.name.slice(name.length + 1)) : NaN, value: c.value }))
        .filter((c) => Number.isInteger(c.n) && c.n >= 0)
        .sort((a, b) => a.n - b.n);
      if (chunks.length === 0) continue;
      value = chunks.map((c) => c.value).join("");
      chunked = true;
    }
    try {
      const token = await options.decode({ token: value, secret: secrets, salt: name });
      if (!token) return null;
      return { name, chunked, token: token as WardenToken & Record<string, unknown>, secrets };
    } catch {
      return null;
    }
  }
  return null;
}
