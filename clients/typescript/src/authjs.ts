// Auth.js v5 (next-auth@5) glue: the same guarantees as the NextAuth v4 entry points.
//
// - `wardenCredentials()`: the Credentials provider, `POST /v1/auth/login` with the client key
//   and the end user's address (from the sign-in request Auth.js passes to `authorize`).
// - `wardenJwt()` / `wardenSession()`: warden's tokens live only in Auth.js's encrypted JWT
//   cookie; the session the browser reads (`/api/auth/session`, `useSession()`) carries only
//   id, name, email, role, roles, the access token's expiry and an error.
// - `wardenHandlers(handlers)`: Auth.js's route handlers, the one place where the `jwt`
//   callback may rotate warden's refresh token (the handler's answer sets the cookie).
// - `createGetWardenToken({ decode })`: the token for server code, decrypted from the cookie
//   with Auth.js's own `decode` (salt: the cookie's name). Nothing here refreshes.
// - `@warden/next/authjs/middleware`: refresh ahead of the margin in middleware.
//
// The rule for v5: `auth()` called without arguments (Server Components, server actions, route
// handlers) drops the cookies Auth.js would set (next-auth@5's `initAuth` returns the session
// JSON only), so the `jwt` callback never rotates there; `auth` used as middleware does not
// hand the new cookie to the page rendered for the same request. Rotation happens in the
// wrapped route handlers and in `refreshSessionCookie` (middleware), nowhere else.
//
// No import of next-auth or @auth/core, not even for types: the app passes its own `decode`
// and `encode` (`next-auth/jwt`), so the package works with whichever next-auth@5 the app has.

import { clientAddress, type AddressOf, type HeaderSource, type SignedIn, type WardenClient } from "./client.js";
import { wardenAuthHandler } from "./context.js";
import { wardenCredentials as credentialsV4, wardenJwt as jwtV4 } from "./nextauth.js";
import type { RefreshSingleFlight, WardenToken } from "./refresh.js";
import { accessOf, readSessionCookie, type AuthjsDecode, type CookieSource, type WardenAccess } from "./authjs-cookie.js";

export {
  AUTHJS_SESSION_COOKIE,
  AUTHJS_SECURE_SESSION_COOKIE,
  type AuthjsDecode,
  type AuthjsEncode,
  type CookieSource,
  type WardenAccess,
} from "./authjs-cookie.js";
export { withWardenRotation, wardenAuthHandler } from "./context.js";
export type { AddressOf, WardenToken };

/** The user `authorize` returns: warden's sign-in answer, which `wardenJwt()` keeps. */
export type AuthjsUser = SignedIn & { id: string; name: string | null; email: string; image: null };

/** Auth.js's Credentials provider, as its `Credentials()` returns it (typed structurally). */
export interface AuthjsCredentialsProvider {
  id: string;
  name: string;
  type: "credentials";
  credentials: { email: { label: string; type: string }; password: { label: string; type: string } };
  authorize: (credentials: Partial<Record<"email" | "password", unknown>>, request: Request) => Promise<AuthjsUser | null>;
}

export interface WardenCredentialsOptions {
  client?: WardenClient;
  /** The provider's id (default `credentials`: `signIn("credentials", ...)`) and name. */
  id?: string;
  name?: string;
  /** The end user's address from the sign-in request (sent only with a client key). */
  clientAddress?: AddressOf;
}

/**
 * Auth.js's Credentials provider signing in through `POST /v1/auth/login`, with the end
 * user's address taken from the sign-in request (with a client key). A refusal or no answer is
 * `null`: Auth.js answers `CredentialsSignin`.
 */
export function wardenCredentials(options: WardenCredentialsOptions = {}): AuthjsCredentialsProvider {
  const v4 = credentialsV4(options) as unknown as {
    authorize(given: Record<string, string> | undefined, req?: { headers?: HeaderSource }): Promise<AuthjsUser | null>;
  };
  return {
    id: options.id ?? "credentials",
    name: options.name ?? "warden",
    type: "credentials",
    credentials: {
      email: { label: "Email", type: "email" },
      password: { label: "Password", type: "password" },
    },
    authorize(credentials, request) {
      const text = (v: unknown) => (typeof v === "string" ? v : "");
      return v4.authorize({ email: text(credentials?.email), password: text(credentials?.password) }, { headers: request?.headers });
    },
  };
}

/** The `jwt` callback's parameters, as Auth.js passes them (what the callback reads). */
export interface AuthjsJwtParams {
  token: Record<string, unknown>;
  user?: unknown;
  account?: { type: string; id_token?: string } | null;
  trigger?: string;
}

/** What the `jwt` callback keeps in Auth.js's encrypted cookie. */
export type AuthjsJwt = WardenToken & { picture?: string | null; [claim: string]: unknown };

export interface WardenJwtOptions {
  client?: WardenClient;
  /** Refresh this many seconds before the access token expires (default
   * `WARDEN_REFRESH_MARGIN_SECONDS`, else 60). */
  refreshMarginSeconds?: number;
  /** Exchange other providers' ID tokens for a warden session (default true). */
  exchange?: boolean;
  clientAddress?: AddressOf;
  flight?: RefreshSingleFlight;
  now?: () => number;
}

/**
 * Auth.js's `jwt` callback: keeps warden's tokens on sign-in; refreshes within the margin of
 * expiry only inside `wardenHandlers` (Auth.js's route handlers, whose answer sets the
 * cookie), one refresh per refresh token at a time; everywhere else (`auth()` in Server
 * Components, server actions and route handlers, `auth` as middleware) it returns the token
 * as it is. A refused refresh sets `error: "RefreshAccessTokenError"`.
 */
export function wardenJwt(options: WardenJwtOptions = {}): (params: AuthjsJwtParams) => Promise<AuthjsJwt> {
  // Never `rotate: "always"`: no v5 call path outside the marked handlers stores the cookie.
  const callback = jwtV4({ ...options, rotate: "handler" }) as unknown as (params: AuthjsJwtParams) => Promise<AuthjsJwt>;
  return (params) => callback(params);
}

/** The session the browser reads: what a UI needs, no bearer token. */
export interface WardenAuthjsSession {
  user: { id?: string; name?: string | null; email?: string | null; role: string | null; roles: string[] };
  /** The session's expiry (Auth.js's own). */
  expires: string;
  /** The access token's expiry, epoch seconds. */
  expiresAt?: number;
  error?: WardenToken["error"];
}

/**
 * Auth.js's `session` callback: exactly `user.id`, `user.name`, `user.email`, `user.role`,
 * `user.roles`, `expires`, `expiresAt` and `error`; never warden's access or refresh token
 * (whatever else the session or token holds). Server code reads the token with
 * `createGetWardenToken`.
 */
export function wardenSession(): (params: {
  session: { expires: string | Date; user?: { name?: string | null; email?: string | null } | null };
  token?: Record<string, unknown>;
}) => Promise<WardenAuthjsSession> {
  return async ({ session, token }) => {
    const t = (token ?? {}) as WardenToken;
    const expires = session.expires instanceof Date ? session.expires.toISOString() : String(session.expires);
    const out: WardenAuthjsSession = {
      user: {
        id: t.sub,
        name: t.name ?? session.user?.name ?? null,
        email: t.email ?? session.user?.email ?? null,
        role: t.role ?? null,
        roles: Array.isArray(t.roles) ? t.roles : [],
      },
      expires,
    };
    if (typeof t.expiresAt === "number") out.expiresAt = t.expiresAt;
    if (t.error) out.error = t.error;
    return out;
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => any;

/**
 * Auth.js's route handlers (`NextAuth(config).handlers`) marked as the place where the `jwt`
 * callback may rotate warden's refresh token: `/api/auth/session` (`useSession()`,
 * `getSession()`, `update()`) and the other `/api/auth/*` routes answer with the cookie.
 *
 * ```ts
 * // app/api/auth/[...nextauth]/route.ts
 * export const { GET, POST } = wardenHandlers(handlers);
 * ```
 */
export function wardenHandlers<G extends Handler, P extends Handler>(handlers: { GET: G; POST: P }): { GET: G; POST: P } {
  return { GET: wardenAuthHandler(handlers.GET), POST: wardenAuthHandler(handlers.POST) };
}

/** The request parts read: its cookies and headers. */
export interface RequestLike {
  cookies: CookieSource;
  headers?: HeaderSource;
}

export interface GetWardenTokenOptions {
  /** `decode` from `next-auth/jwt` (or the app's own `jwt.decode`). */
  decode: AuthjsDecode;
  /** Auth.js's secret(s) (default `AUTH_SECRET` with `AUTH_SECRET_1..3`, else `NEXTAUTH_SECRET`). */
  secret?: string | string[];
  /** The session cookie (default: `__Secure-authjs.session-token` when present, else
   * `authjs.session-token`); it is also the salt. */
  cookieName?: string;
  clientAddress?: AddressOf;
  now?: () => number;
}

/**
 * The server-side accessor: a `getWardenToken(req?)` that decrypts Auth.js's session cookie
 * (with Auth.js's `decode`, salted with the cookie's name) and returns warden's token for this
 * request, or `null` when nobody is signed in. Without `req` it reads the current request
 * through `next/headers` (Server Components, server actions, route handlers). It never
 * refreshes. Pass the result to `authorize`, `authorizeMany`, `requireAllowed` and `plan`.
 *
 * ```ts
 * // lib/warden.ts
 * import { decode } from "next-auth/jwt";
 * export const getWardenToken = createGetWardenToken({ decode });
 * ```
 */
export function createGetWardenToken(options: GetWardenTokenOptions): (req?: RequestLike) => Promise<WardenAccess | null> {
  return async (req) => {
    const request = req ?? (await currentRequest());
    const read = await readSessionCookie(request.cookies, options);
    if (!read) return null;
    const clientIp = (options.clientAddress ?? clientAddress)(request.headers);
    return accessOf(read.token, clientIp, (options.now ?? Date.now)());
  };
}

async function currentRequest(): Promise<RequestLike> {
  // @ts-ignore: `next` is the app's dependency, not this package's.
  const mod = (await import("next/headers")) as { cookies(): unknown; headers(): unknown };
  // Next 14 answers synchronously, Next 15 with a promise: `await` serves both.
  return { cookies: (await mod.cookies()) as CookieSource, headers: (await mod.headers()) as HeaderSource };
}
