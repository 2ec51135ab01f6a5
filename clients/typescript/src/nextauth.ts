// NextAuth (v4) glue: the CredentialsProvider that signs in through warden, and the `jwt` and
// `session` callbacks. warden's tokens live only in NextAuth's JWT (an encrypted, HttpOnly
// cookie); the session the browser reads at `/api/auth/session` carries only what a UI needs.
// The access token is refreshed only where the rotated refresh token reaches the cookie:
// inside NextAuth's route handler (`wardenAuthHandler`) and in middleware
// (`@warden/next/middleware`), never in a Server Component.

import type { CallbacksOptions } from "next-auth";
import type { CredentialsConfig } from "next-auth/providers/credentials";
import { WardenClient, clientAddress, wardenClient, type AddressOf, type HeaderSource, type SignedIn } from "./client.js";
import { rotationContext } from "./context.js";
import { RefreshSingleFlight, fromSignedIn, refreshDue, refreshMargin, refreshToken, type WardenToken } from "./refresh.js";

export { RefreshSingleFlight, type WardenToken };

/** What `wardenSession()` puts in NextAuth's session: what a UI needs, no bearer token. */
export interface WardenSessionFields {
  user?: { id?: string; role?: string | null; roles?: string[]; email?: string | null; name?: string | null; image?: string | null };
  /** The access token's expiry, epoch seconds (the UI may show it; the token stays on the server). */
  expiresAt?: number;
  error?: WardenToken["error"];
}

export type { AddressOf };

export interface WardenCredentialsOptions {
  client?: WardenClient;
  /** The provider's id (default `credentials`) and its name on NextAuth's own sign-in page. */
  id?: string;
  name?: string;
  /** The end user's address from the sign-in request (sent only with a client key). */
  clientAddress?: AddressOf;
}

/**
 * NextAuth's CredentialsProvider signing in through `POST /v1/auth/login`. The user it returns
 * is warden's answer (`id`, `email`, `name`, `role`, `token`, `refresh_token`, `expires_at`),
 * which `wardenJwt()` keeps. A refusal or no answer is `null`: NextAuth shows its sign-in error.
 * With a client key (`WARDEN_CLIENT_KEY`), the end user's address from the sign-in request
 * goes along, so warden throttles each user on their own address.
 */
export function wardenCredentials(options: WardenCredentialsOptions = {}): CredentialsConfig {
  const credentials = {
    email: { label: "Email", type: "email" },
    password: { label: "Password", type: "password" },
  };
  const addressOf = options.clientAddress ?? clientAddress;
  // The provider object NextAuth's own `CredentialsProvider()` returns, built here so that the
  // package needs nothing from next-auth at run time (its types only).
  return {
    id: options.id ?? "credentials",
    name: options.name ?? "warden",
    type: "credentials",
    credentials,
    options: {},
    async authorize(given: Record<string, string> | undefined, req?: { headers?: HeaderSource }) {
      const email = given?.email ?? "";
      const password = given?.password ?? "";
      if (!email || !password) return null;
      const clientIp = addressOf(req?.headers ?? rotationContext()?.headers);
      try {
        const signedIn = await (options.client ?? wardenClient()).login(email, password, { clientIp });
        return { ...signedIn, name: signedIn.name ?? null, image: null };
      } catch {
        return null;
      }
    },
  } as CredentialsConfig;
}

export interface WardenJwtOptions {
  client?: WardenClient;
  /** Refresh this many seconds before the access token expires (default
   * `WARDEN_REFRESH_MARGIN_SECONDS`, else 60). Keep it above the session poll interval. */
  refreshMarginSeconds?: number;
  /** Exchange the ID token of other providers (Google, GitHub, OIDC) for a warden session
   * through `POST /v1/auth/exchange` (default true). */
  exchange?: boolean;
  /**
   * Where the callback may rotate the refresh token. `"handler"` (the default): only inside
   * `wardenAuthHandler` (NextAuth's route handler, whose answer sets the cookie); elsewhere
   * (Server Components, `getServerSession` in server actions and route handlers) the token is
   * returned as it is. `"always"`: wherever the callback runs, for the pages router only,
   * where `getServerSession(req, res, options)` writes the cookie.
   */
  rotate?: "handler" | "always";
  /** The end user's address from the request (sent with the refresh, with a client key). */
  clientAddress?: AddressOf;
  /** The clock, in epoch milliseconds (tests). */
  now?: () => number;
}

type JwtParams = Parameters<CallbacksOptions["jwt"]>[0];

function isSignedIn(x: unknown): x is SignedIn {
  const s = x as Partial<SignedIn> | null | undefined;
  return typeof s?.access_token === "string" && typeof s.refresh_token === "string" && typeof s.expires_at === "number";
}

/**
 * NextAuth's `jwt` callback: keeps warden's tokens on sign-in (credentials, or another
 * provider's ID token exchanged for a warden session), and refreshes the access token when it
 * is within the margin of its expiry, but only where the rotated refresh token can be stored
 * (see `rotate`). A refused refresh marks the token with `error: "RefreshAccessTokenError"`;
 * warden unreachable keeps the token (the next request tries again, and decisions fail closed
 * meanwhile). The refresh answer's roles replace the kept ones.
 */
export function wardenJwt(options: WardenJwtOptions & { flight?: RefreshSingleFlight } = {}): CallbacksOptions["jwt"] {
  const addressOf = options.clientAddress ?? clientAddress;
  const callback = async (params: JwtParams) => {
    const token = params.token as WardenToken & Record<string, unknown>;
    const { user, account } = params;
    const client = options.client ?? wardenClient();
    if (user && isSignedIn(user)) {
      return fromSignedIn(token, user);
    }
    const context = rotationContext();
    if (account && account.type !== "credentials") {
      const idToken = account.id_token;
      if (options.exchange === false || typeof idToken !== "string") {
        return { ...token, accessToken: undefined, refreshToken: undefined, error: "ExchangeError" as const };
      }
      try {
        return fromSignedIn(token, await client.exchangeIdToken(idToken, { clientIp: addressOf(context?.headers) }));
      } catch {
        // Signed in at the provider, but warden does not know this person: no warden session,
        // so every decision denies.
        return { ...token, accessToken: undefined, refreshToken: undefined, error: "ExchangeError" as const };
      }
    }
    const now = (options.now ?? Date.now)();
    if (!refreshDue(token, refreshMargin(options.refreshMarginSeconds), now)) return token;
    // A Server Component (or getServerSession anywhere in the app router) cannot store a
    // rotated refresh token: rotating there would leave the browser with the predecessor, and
    // once warden's grace window has passed, presenting it is reuse and ends the session.
    if (options.rotate !== "always" && context === undefined) return token;
    return refreshToken(token, { client, flight: options.flight, clientIp: addressOf(context?.headers) });
  };
  return callback as CallbacksOptions["jwt"];
}

/**
 * NextAuth's `session` callback: exposes what a UI needs (the user's id, name, email, role,
 * roles, the access token's expiry and any refresh error), never warden's access or refresh
 * token: the browser reads this at `/api/auth/session`. Server code that asks warden reads
 * the token with `getWardenToken()` (`@warden/next/server`).
 */
export function wardenSession(): CallbacksOptions["session"] {
  const callback = async (params: { session: Record<string, unknown>; token: Record<string, unknown> }) => {
    const token = params.token as WardenToken;
    const { accessToken: _a, refreshToken: _r, ...session } = params.session;
    const user = (session.user ?? {}) as Record<string, unknown>;
    return {
      ...session,
      user: { ...user, id: token.sub, role: token.role ?? null, roles: token.roles ?? [] },
      expiresAt: token.expiresAt,
      error: token.error,
    };
  };
  return callback as unknown as CallbacksOptions["session"];
}
