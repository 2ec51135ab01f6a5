// The typed HTTP client: one method per warden endpoint the package uses. Request and answer
// types come from src/generated/openapi.ts (generated from warden's OpenAPI document).

import type { components } from "./generated/openapi.js";
import { WardenError, WardenHttpError, WardenUnavailableError } from "./errors.js";
import { isPlan, isPlanSql, type Plan, type PlanRequest, type PlanSql, type PlanSqlRequest } from "./plan.js";

export type Schemas = components["schemas"];
export type SignedIn = Schemas["SignedIn"];
export type AuthorizeRequest = Schemas["Authorize"];
export type Authorization = Schemas["Authorization"];
export type Authorizations = Schemas["Authorizations"];
export type LoggedOut = Schemas["LoggedOut"];
export type ResourceInput = Schemas["Resource"];
export type PolicyVersionList = Schemas["PolicyVersionList"];
export type PolicyVersionInfo = Schemas["PolicyVersionInfo"];
export type PolicyVersionDetail = Schemas["PolicyVersionDetail"];
export type PolicyDiff = Schemas["PolicyDiff"];
export type PublishPolicies = Schemas["PublishPolicies"];
export type RollbackPolicies = Schemas["RollbackPolicies"];
export type PublishOutcome = Schemas["PublishOutcome"];
export type ImpactReport = Schemas["ImpactReport"];

/** RFC 8693 token exchange: the grant and the subject token type warden accepts. */
export const TOKEN_EXCHANGE_GRANT: Schemas["TokenExchangeGrant"] = "urn:ietf:params:oauth:grant-type:token-exchange";
export const ID_TOKEN_TYPE: Schemas["SubjectTokenType"] = "urn:ietf:params:oauth:token-type:id_token";

export interface WardenClientOptions {
  /** warden's base URL (default: `WARDEN_URL`, else http://127.0.0.1:8080). */
  url?: string;
  /** Per request, in milliseconds (default 5000). A request that takes longer fails. */
  timeoutMs?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /**
   * This app's service client key (`warden client add NAME --json`; default:
   * `WARDEN_CLIENT_KEY`). With it, every call carries `X-Warden-Client-Key` and, when the
   * caller knows it, the end user's address in `X-Warden-Client-IP`, so warden throttles each
   * end user on their own address instead of every sign-in sharing the app server's. Without a
   * key no address is sent (warden would ignore it). Keep it on the server: it is a credential.
   */
  clientKey?: string;
}

/** Per call: the end user's address (from the incoming request, see `clientAddress`). */
export interface CallOptions {
  clientIp?: string | null;
}

/** The headers that carry a service client key and the end user's address. */
export const CLIENT_KEY_HEADER = "x-warden-client-key";
export const CLIENT_IP_HEADER = "x-warden-client-ip";

export type HeaderSource = Headers | { get(name: string): string | null } | Record<string, string | string[] | undefined> | null | undefined;

/** How the end user's address is found in a request's headers (default: `clientAddress`). */
export type AddressOf = (headers: HeaderSource) => string | undefined;

function header(source: HeaderSource, name: string): string | undefined {
  if (!source) return undefined;
  if (typeof (source as { get?: unknown }).get === "function") {
    return (source as { get(n: string): string | null }).get(name) ?? undefined;
  }
  const record = source as Record<string, string | string[] | undefined>;
  const found = record[name] ?? Object.entries(record).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(found) ? found[0] : found;
}

/**
 * The end user's address as the Next.js server sees it: the first entry of
 * `X-Forwarded-For`, else `X-Real-IP`, else nothing. Next.js sets `X-Forwarded-For` to the
 * peer's address only when the request has none, so the first entry is what the nearest
 * proxy (or the browser, if nothing is in front) claims: put the app behind a proxy that
 * overwrites the header, or pass your own `clientAddress` function.
 */
export function clientAddress(headers: HeaderSource): string | undefined {
  const forwarded = header(headers, "x-forwarded-for")?.split(",")[0]?.trim();
  const address = forwarded || header(headers, "x-real-ip")?.trim();
  // An address, not a header injection: IPv4, IPv6 (optionally bracketed), nothing else.
  if (!address || address.length > 64 || !/^[\[\]0-9A-Fa-f:.]+$/.test(address)) return undefined;
  return address.replace(/^\[|\]$/g, "");
}

/** Answers larger than this are refused rather than parsed (warden's are a few KiB). */
const MAX_ANSWER_BYTES = 1 << 20;
/**
 * A published policy version's files, or the diff of two, can be as large as the set
 * (warden caps a set at 32 MiB): those two answers may be this large.
 */
const MAX_POLICY_SET_ANSWER_BYTES = 48 << 20;

export class WardenClient {
  readonly url: string;
  readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly clientKey: string | undefined;

  constructor(options: WardenClientOptions = {}) {
    const url = options.url ?? process.env.WARDEN_URL ?? "http://127.0.0.1:8080";
    this.url = url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.clientKey = (options.clientKey ?? process.env.WARDEN_CLIENT_KEY) || undefined;
  }

  /** Whether this client vouches for end users' addresses (it has a client key). */
  get hasClientKey(): boolean {
    return this.clientKey !== undefined;
  }

  /** POST /v1/auth/login. Wrong credentials are a `WardenHttpError` with status 401. */
  login(email: string, password: string, call: CallOptions = {}): Promise<SignedIn> {
    return this.post("/v1/auth/login", { email, password }, undefined, isSignedIn, call);
  }

  /** POST /v1/auth/refresh: the successor refresh token and a new access token. */
  refresh(refreshToken: string, call: CallOptions = {}): Promise<SignedIn> {
    return this.post("/v1/auth/refresh", { refresh_token: refreshToken }, undefined, isSignedIn, call);
  }

  /** POST /v1/auth/logout: ends the refresh token's session. */
  logout(refreshToken: string): Promise<LoggedOut> {
    return this.post("/v1/auth/logout", { refresh_token: refreshToken }, undefined, (x): x is LoggedOut =>
      isObject(x) && typeof x.logged_out === "boolean",
    );
  }

  /**
   * POST /v1/auth/exchange (RFC 8693): another identity provider's OpenID Connect ID token
   * for a warden session, answered like a sign-in.
   */
  exchangeIdToken(idToken: string, call: CallOptions = {}): Promise<SignedIn> {
    const request: Schemas["TokenExchange"] = {
      grant_type: TOKEN_EXCHANGE_GRANT,
      subject_token: idToken,
      subject_token_type: ID_TOKEN_TYPE,
    };
    return this.post("/v1/auth/exchange", request, undefined, isSignedIn, call);
  }

  /** POST /v1/authorize with the user's access token. Throws when there is no usable answer. */
  authorize(accessToken: string, request: AuthorizeRequest, call: CallOptions = {}): Promise<Authorization> {
    return this.post("/v1/authorize", request, accessToken, isAuthorization, call);
  }

  /** POST /v1/authorize/batch: the decisions in the order asked. */
  async authorizeMany(accessToken: string, items: AuthorizeRequest[], call: CallOptions = {}): Promise<Authorization[]> {
    const answer = await this.post("/v1/authorize/batch", { items }, accessToken, (x): x is Authorizations =>
      isObject(x) && Array.isArray(x.results) && x.results.every(isAuthorization),
    call);
    if (answer.results.length !== items.length) {
      throw new WardenUnavailableError(`asked ${items.length} decisions, got ${answer.results.length}`);
    }
    return answer.results;
  }

  /** POST /v1/authorize/plan: the condition under which the user may act on a resource type. */
  plan(accessToken: string, request: PlanRequest, call: CallOptions = {}): Promise<Plan> {
    return this.post("/v1/authorize/plan", request, accessToken, isPlan, call);
  }

  /**
   * POST /v1/authorize/plan/sql: the plan as a SQL `WHERE` fragment with its parameters, over
   * `request.mapping`'s columns, for raw SQL (`pg`: `pool.query(\`... WHERE ${sql}\`, params)`).
   * A plan SQL cannot say exactly, an unmapped attribute or a refused name is a
   * `WardenHttpError` (400, `code` one of `unsupported_plan`, `unmapped_attribute`,
   * `unknown_attribute`, `unsafe_identifier`, `unknown_dialect`, `invalid_mapping`): show no
   * rows then, never drop the condition. Bind `params`, never paste them into the SQL.
   */
  planSql(accessToken: string, request: PlanSqlRequest, call: CallOptions = {}): Promise<PlanSql> {
    return this.post("/v1/authorize/plan/sql", request, accessToken, isPlanSql, call);
  }

  // ---- published policy sets (admin: the token's user needs the route's admin action) ----

  /** GET /admin/v1/policies/versions (`policies.read`): the versions, newest first. */
  policyVersions(accessToken: string): Promise<PolicyVersionList> {
    return this.request("GET", "/admin/v1/policies/versions", undefined, accessToken, isPolicyVersionList);
  }

  /** GET /admin/v1/policies/versions/{version} (`policies.read`): one version with its files; 404 when none. */
  policyVersion(accessToken: string, version: number): Promise<PolicyVersionDetail> {
    return this.request(
      "GET",
      `/admin/v1/policies/versions/${versionNumber(version)}`,
      undefined,
      accessToken,
      (x): x is PolicyVersionDetail => isObject(x) && isPolicyVersionInfo(x.version) && isObject(x.files),
      {},
      MAX_POLICY_SET_ANSWER_BYTES,
    );
  }

  /** GET /admin/v1/policies/diff (`policies.read`): the per-file unified diff from `from` to `to`. */
  policyDiff(accessToken: string, from: number, to: number): Promise<PolicyDiff> {
    return this.request(
      "GET",
      `/admin/v1/policies/diff?from=${versionNumber(from)}&to=${versionNumber(to)}`,
      undefined,
      accessToken,
      (x): x is PolicyDiff => isObject(x) && typeof x.from === "number" && typeof x.to === "number" && Array.isArray(x.files),
      {},
      MAX_POLICY_SET_ANSWER_BYTES,
    );
  }

  /**
   * POST /admin/v1/policies/versions (`policies.publish`): publish a set. It is validated,
   * its tests run and its impact on the latest logged decisions previewed; `dry_run` stops
   * there (`activated: false`). A refusal is a `WardenHttpError` and nothing is activated:
   * 422 `policy_invalid` (syntax, schema, an empty set) or `policy_tests_failed`; 409
   * `no_administrator`, `too_many_changes` (over `max_changes`), `wrong_policy_source` (the
   * server reads a directory) or `conflict` with `reason` `publish_race` (another publish
   * won: read the versions and try again); 413 for a set over the size cap; 400 for a
   * malformed request.
   */
  publishPolicies(accessToken: string, request: PublishPolicies): Promise<PublishOutcome> {
    return this.request("POST", "/admin/v1/policies/versions", request, accessToken, isPublishOutcome);
  }

  /** POST /admin/v1/policies/rollback (`policies.publish`): an old version's files as a new active version (404 when none). */
  rollbackPolicies(accessToken: string, request: RollbackPolicies): Promise<PublishOutcome> {
    return this.request("POST", "/admin/v1/policies/rollback", request, accessToken, isPublishOutcome);
  }

  /**
   * POST `body` as JSON; the parsed answer when it is 2xx and passes `check`. Network errors,
   * timeouts, oversized or malformed answers are `WardenUnavailableError`; an error status is
   * `WardenHttpError`.
   */
  private post<T>(
    path: string,
    body: unknown,
    accessToken: string | undefined,
    check: (x: unknown) => x is T,
    call: CallOptions = {},
  ): Promise<T> {
    return this.request("POST", path, body, accessToken, check, call);
  }

  /** One request (a body only for POST), answered as [`post`] says. */
  private async request<T>(
    method: "GET" | "POST",
    path: string,
    body: unknown,
    accessToken: string | undefined,
    check: (x: unknown) => x is T,
    call: CallOptions = {},
    maxAnswerBytes: number = MAX_ANSWER_BYTES,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (method === "POST") headers["content-type"] = "application/json";
    if (accessToken !== undefined) headers.authorization = `Bearer ${accessToken}`;
    if (this.clientKey !== undefined) {
      headers[CLIENT_KEY_HEADER] = this.clientKey;
      if (call.clientIp) headers[CLIENT_IP_HEADER] = call.clientIp;
    }
    let res: Response;
    let text: string;
    try {
      res = await this.fetchImpl(`${this.url}${path}`, {
        method,
        headers,
        body: method === "POST" ? JSON.stringify(body) : undefined,
        cache: "no-store",
        redirect: "error",
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      const declared = Number(res.headers.get("content-length") ?? "0");
      if (declared > maxAnswerBytes) throw new Error(`answer of ${declared} bytes`);
      text = await res.text();
    } catch (e) {
      throw new WardenUnavailableError(`warden did not answer ${path}: ${describe(e)}`, e);
    }
    if (text.length > maxAnswerBytes) throw new WardenUnavailableError(`answer of ${path} too large`);
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch (e) {
      if (!res.ok) throw new WardenHttpError(res.status, `http_${res.status}`, `warden answered ${res.status}`);
      throw new WardenUnavailableError(`warden's answer to ${path} is not JSON`, e);
    }
    if (!res.ok) {
      const code = isObject(parsed) && typeof parsed.error === "string" ? parsed.error : `http_${res.status}`;
      const message = isObject(parsed) && typeof parsed.message === "string" ? parsed.message : `warden answered ${res.status}`;
      const reason = isObject(parsed) && typeof parsed.reason === "string" ? parsed.reason : undefined;
      throw new WardenHttpError(res.status, code, message, reason);
    }
    if (!check(parsed)) throw new WardenUnavailableError(`warden's answer to ${path} is malformed`);
    return parsed;
  }
}

/** An error with its causes: fetch's "fetch failed" says why only in `cause` (ECONNRESET, ...). */
function describe(e: unknown): string {
  const parts = [String(e)];
  let cause = isObject(e) ? e.cause : undefined;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 3; depth++) {
    const code = isObject(cause) && typeof cause.code === "string" ? ` (${cause.code})` : "";
    parts.push(`${String(cause)}${code}`);
    cause = isObject(cause) ? cause.cause : undefined;
  }
  return parts.join(": ");
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A version number for a path or query: a positive whole number, else a `WardenError`. */
function versionNumber(version: number): string {
  if (!Number.isSafeInteger(version) || version < 1) {
    throw new WardenError(`not a policy version number: ${String(version)}`);
  }
  return String(version);
}

function isPolicyVersionInfo(x: unknown): x is PolicyVersionInfo {
  return (
    isObject(x) &&
    typeof x.version === "number" &&
    typeof x.hash === "string" &&
    typeof x.active === "boolean" &&
    Array.isArray(x.files)
  );
}

function isPolicyVersionList(x: unknown): x is PolicyVersionList {
  return isObject(x) && typeof x.source === "string" && Array.isArray(x.versions) && x.versions.every(isPolicyVersionInfo);
}

function isPublishOutcome(x: unknown): x is PublishOutcome {
  return (
    isObject(x) &&
    typeof x.activated === "boolean" &&
    typeof x.hash === "string" &&
    typeof x.tests_passed === "number" &&
    isObject(x.impact) &&
    typeof x.impact.allow_to_deny === "number" &&
    typeof x.impact.deny_to_allow === "number" &&
    // An activated publish names its version.
    (!x.activated || typeof x.version === "number")
  );
}

function isSignedIn(x: unknown): x is SignedIn {
  return (
    isObject(x) &&
    typeof x.id === "string" &&
    typeof x.access_token === "string" &&
    typeof x.refresh_token === "string" &&
    typeof x.expires_at === "number" &&
    Number.isFinite(x.expires_at)
  );
}

function isAuthorization(x: unknown): x is Authorization {
  return (
    isObject(x) &&
    typeof x.allowed === "boolean" &&
    (x.decision === "allow" || x.decision === "deny") &&
    // An allow must say so twice: a body that says allowed but not decision "allow" is malformed.
    x.allowed === (x.decision === "allow") &&
    Array.isArray(x.reasons) &&
    x.reasons.every((r) => typeof r === "string") &&
    (x.errors === undefined || (Array.isArray(x.errors) && x.errors.every((r) => typeof r === "string")))
  );
}

let defaultClient: WardenClient | undefined;

/** The client for `WARDEN_URL`, made on first use. */
export function wardenClient(): WardenClient {
  defaultClient ??= new WardenClient();
  return defaultClient;
}
