// NextAuth (v4) glue: the CredentialsProvider that signs in through warden, and the `jwt` and
// `session` callbacks that keep warden's access token, role and refresh token in NextAuth's
// session and refresh the access token silently before it expires.

import type { CallbacksOptions } from "next-auth";
import type { CredentialsConfig } from "next-auth/providers/credentials";
import { WardenClient, wardenClient, type SignedIn } from "./client.js";
import { WardenHttpError } from "./errors.js";

/** What the callbacks keep in NextAuth's JWT (an encrypted, HttpOnly cookie). */
export interface WardenToken {
  sub?: string;
  email?: string | null;
  name?: string | null;
  accessToken?: string;
  refreshToken?: string;
  /** The access token's expiry, epoch seconds. */
  expiresAt?: number;
  role?: string | null;
  roles?: string[];
  /**
   * `RefreshAccessTokenError`: warden refused the refresh token (signed out, revoked, expired);
   * `ExchangeError`: the identity provider's token was not accepted. Sign in again.
   */
  error?: "RefreshAccessTokenError" | "ExchangeError";
}

/** What `wardenSession()` adds to NextAuth's session (read it with `getServerSession`). */
export interface WardenSessionFields {
  user?: { id?: string; role?: string | null; roles?: string[]; email?: string | null; name?: string | null; image?: string | null };
  accessToken?: string;
  expiresAt?: number;
  error?: WardenToken["error"];
}

export interface WardenCredentialsOptions {
  client?: WardenClient;
  /** The provider's id (default `credentials`) and its name on NextAuth's own sign-in page. */
  id?: string;
  name?: string;
}

/**
 * NextAuth's CredentialsProvider signing in through `POST /v1/auth/login`. The user it returns
 * is warden's answer (`id`, `email`, `name`, `role`, `token`, `refresh_token`, `expires_at`),
 * which `wardenJwt()` keeps. A refusal or no answer is `null`: NextAuth shows its sign-in error.
 */
export function wardenCredentials(options: WardenCredentialsOptions = {}): CredentialsConfig {
  const credentials = {
    email: { label: "Email", type: "email" },
    password: { label: "Password", type: "password" },
  };
  // The provider object NextAuth's own `CredentialsProvider()` returns, built here so that the
  // package needs nothing from next-auth at run time (its types only).
  return {
    id: options.id ?? "credentials",
    name: options.name ?? "warden",
    type: "credentials",
    credentials,
    options: {},
    async authorize(given) {
      const email = given?.email ?? "";
      const password = given?.password ?? "";
      if (!email || !password) return null;
      try {
        const signedIn = await (options.client ?? wardenClient()).login(email, password);
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
   * `WARDEN_REFRESH_MARGIN_SECONDS`, else 60). */
  refreshMarginSeconds?: number;
  /** Exchange the ID token of other providers (Google, GitHub, OIDC) for a warden session
   * through `POST /v1/auth/exchange` (default true). */
  exchange?: boolean;
  /** The clock, in epoch milliseconds (tests). */
  now?: () => number;
}

type JwtParams = Parameters<CallbacksOptions["jwt"]>[0];

function fromSignedIn(token: Record<string, unknown>, s: SignedIn): WardenToken & Record<string, unknown> {
  return {
    ...token,
    sub: s.id,
    email: s.email,
    name: s.name ?? (token.name as string | null | undefined) ?? null,
    accessToken: s.access_token,
    refreshToken: s.refresh_token,
    expiresAt: s.expires_at,
    role: s.role ?? null,
    roles: s.roles ?? [],
    error: undefined,
  };
}

function isSignedIn(x: unknown): x is SignedIn {
  const s = x as Partial<SignedIn> | null | undefined;
  return typeof s?.access_token === "string" && typeof s.refresh_token === "string" && typeof s.expires_at === "number";
}

/**
 * One refresh per refresh token at a time. Concurrent requests of one browser carry the same
 * cookie, so they would all present the same refresh token: warden's grace window would answer
 * them, but every extra call is load and, past the window, reuse detection would end the session.
 * Callers that arrive while a refresh is running, or shortly after it settled (requests that
 * left the browser before the new cookie arrived), get the same outcome.
 */
export class RefreshSingleFlight {
  private readonly running = new Map<string, { promise: Promise<SignedIn>; settledAt?: number }>();
  constructor(
    private readonly keepSettledMs = 10_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  refresh(client: WardenClient, refreshToken: string): Promise<SignedIn> {
    const now = this.now();
    for (const [key, entry] of this.running) {
      if (entry.settledAt !== undefined && now - entry.settledAt > this.keepSettledMs) this.running.delete(key);
    }
    const key = `${client.url} ${refreshToken}`;
    const found = this.running.get(key);
    if (found) return found.promise;
    // Bounded: a flood of distinct tokens evicts the oldest entries, never grows without end.
    while (this.running.size >= this.maxEntries) {
      const oldest = this.running.keys().next().value;
      if (oldest === undefined) break;
      this.running.delete(oldest);
    }
    const entry: { promise: Promise<SignedIn>; settledAt?: number } = { promise: client.refresh(refreshToken) };
    this.running.set(key, entry);
    entry.promise.then(
      () => {
        entry.settledAt = this.now();
      },
      () => {
        // A failure is not kept: the next request may try again (warden was down).
        this.running.delete(key);
      },
    );
    return entry.promise;
  }

  /** How many refreshes are running or remembered (tests). */
  get size(): number {
    return this.running.size;
  }
}

const sharedFlight = new RefreshSingleFlight();

/**
 * NextAuth's `jwt` callback: keeps warden's tokens on sign-in (credentials, or another
 * provider's ID token exchanged for a warden session), and refreshes the access token when it
 * is within the margin of its expiry. A refused refresh marks the token with
 * `error: "RefreshAccessTokenError"`; warden unreachable keeps the token (the next request tries
 * again, and decisions fail closed meanwhile).
 */
export function wardenJwt(options: WardenJwtOptions & { flight?: RefreshSingleFlight } = {}): CallbacksOptions["jwt"] {
  const flight = options.flight ?? sharedFlight;
  const callback = async (params: JwtParams) => {
    const token = params.token as WardenToken & Record<string, unknown>;
    const { user, account } = params;
    const client = options.client ?? wardenClient();
    if (user && isSignedIn(user)) {
      return fromSignedIn(token, user);
    }
    if (account && account.type !== "credentials") {
      const idToken = account.id_token;
      if (options.exchange === false || typeof idToken !== "string") {
        return { ...token, accessToken: undefined, refreshToken: undefined, error: "ExchangeError" as const };
      }
      try {
        return fromSignedIn(token, await client.exchangeIdToken(idToken));
      } catch {
        // Signed in at the provider, but warden does not know this person: no warden session,
        // so every decision denies.
        return { ...token, accessToken: undefined, refreshToken: undefined, error: "ExchangeError" as const };
      }
    }
    if (token.error || !token.refreshToken || typeof token.expiresAt !== "number") return token;
    const margin =
      options.refreshMarginSeconds ?? Number(process.env.WARDEN_REFRESH_MARGIN_SECONDS ?? 60);
    const now = (options.now ?? Date.now)() / 1000;
    if (now < token.expiresAt - margin) return token;
    try {
      return fromSignedIn(token, await flight.refresh(client, token.refreshToken));
    } catch (e) {
      if (e instanceof WardenHttpError && e.status >= 400 && e.status < 500 && e.status !== 429 && e.status !== 408) {
        // invalid_grant: the session is over (signed out, revoked, expired).
        return { ...token, accessToken: undefined, error: "RefreshAccessTokenError" as const };
      }
      return token;
    }
  };
  return callback as CallbacksOptions["jwt"];
}

/**
 * NextAuth's `session` callback: exposes the user's id and role, the access token (for
 * `authorize()` on the server) and any refresh error (the page asks to sign in again).
 */
export function wardenSession(): CallbacksOptions["session"] {
  const callback = async (params: { session: Record<string, unknown>; token: Record<string, unknown> }) => {
    const { session } = params;
    const token = params.token as WardenToken;
    const user = (session.user ?? {}) as Record<string, unknown>;
    return {
      ...session,
      user: { ...user, id: token.sub, role: token.role ?? null, roles: token.roles ?? [] },
      accessToken: token.accessToken,
      expiresAt: token.expiresAt,
      error: token.error,
    };
  };
  return callback as unknown as CallbacksOptions["session"];
}
