// The refresh step shared by the `jwt` callback (inside NextAuth's route handler) and the
// middleware: refresh warden's access token when it is within the margin of its expiry, one
// refresh per refresh token at a time. No Node-only imports: it runs in the Edge runtime too.

import { WardenClient, type SignedIn } from "./client.js";
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

/**
 * One refresh per refresh token at a time. Concurrent requests of one browser carry the same
 * cookie, so they would all present the same refresh token: warden's grace window
 * (`refresh_grace`, 10 s by default) would answer them with the same successor, but every
 * extra call is load and, past the window, reuse detection would end the session. Callers
 * that arrive while a refresh is running, or shortly after it settled (requests that left the
 * browser before the new cookie arrived), get the same outcome. Keep `keepSettledMs` at most
 * warden's grace window: a remembered answer is one warden would still give.
 */
export class RefreshSingleFlight {
  private readonly running = new Map<string, { promise: Promise<SignedIn>; settledAt?: number }>();
  constructor(
    private readonly keepSettledMs = 10_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  refresh(client: WardenClient, refreshToken: string, clientIp?: string): Promise<SignedIn> {
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
    const entry: { promise: Promise<SignedIn>; settledAt?: number } = {
      promise: client.refresh(refreshToken, { clientIp }),
    };
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

// One per process, even when a bundler includes this module more than once.
const KEY = Symbol.for("@warden/next.refresh-single-flight");
const holder = globalThis as unknown as Record<symbol, RefreshSingleFlight | undefined>;

/** The process-wide single flight. */
export function sharedFlight(): RefreshSingleFlight {
  return (holder[KEY] ??= new RefreshSingleFlight());
}

export function fromSignedIn<T extends Record<string, unknown>>(token: T, s: SignedIn): T & WardenToken {
  return {
    ...token,
    sub: s.id,
    email: s.email,
    name: s.name ?? (token.name as string | null | undefined) ?? null,
    accessToken: s.access_token,
    refreshToken: s.refresh_token,
    expiresAt: s.expires_at,
    // warden's refresh answer carries the user's current roles: a role change shows up in the
    // session at the next refresh.
    role: s.role ?? null,
    roles: s.roles ?? [],
    error: undefined,
  };
}

/** The margin: the option, else `WARDEN_REFRESH_MARGIN_SECONDS`, else 60 seconds. */
export function refreshMargin(seconds?: number): number {
  if (seconds !== undefined) return seconds;
  const raw = globalThis.process?.env?.WARDEN_REFRESH_MARGIN_SECONDS;
  const env = raw ? Number(raw) : NaN;
  return Number.isFinite(env) && env >= 0 ? env : 60;
}

/** Whether the token has a refresh token and its access token is within `margin` of expiry. */
export function refreshDue(token: WardenToken, marginSeconds: number, nowMs: number): boolean {
  if (token.error || !token.refreshToken || typeof token.expiresAt !== "number") return false;
  return nowMs / 1000 >= token.expiresAt - marginSeconds;
}

export interface RefreshOptions {
  client: WardenClient;
  flight?: RefreshSingleFlight;
  clientIp?: string;
}

/**
 * Refresh now (the caller checked `refreshDue`). A refused refresh marks the token with
 * `error: "RefreshAccessTokenError"` and drops its access token; warden unreachable (or 429,
 * 408, 5xx) keeps the token as it is (the next request tries again; decisions fail closed
 * meanwhile).
 */
export async function refreshToken<T extends Record<string, unknown>>(
  token: T & WardenToken,
  options: RefreshOptions,
): Promise<T & WardenToken> {
  const flight = options.flight ?? sharedFlight();
  try {
    return fromSignedIn(token, await flight.refresh(options.client, token.refreshToken as string, options.clientIp));
  } catch (e) {
    if (e instanceof WardenHttpError && e.status >= 400 && e.status < 500 && e.status !== 429 && e.status !== 408) {
      // invalid_grant: the session is over (signed out, revoked, expired).
      return { ...token, accessToken: undefined, error: "RefreshAccessTokenError" as const };
    }
    return token;
  }
}
