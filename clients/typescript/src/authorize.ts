// Decisions for server actions, route handlers and list pages, from the server-side token
// (`getWardenToken()` of `@warden/next/server`). Every
// function here fails closed: no session, a refused token, a network error, a timeout, an error
// status or a malformed answer is a deny (or a plan that allows nothing), never an allow.

import { WardenClient, wardenClient, type AuthorizeRequest } from "./client.js";
import { WardenDeniedError, WardenHttpError } from "./errors.js";
import { deniedPlan, type Plan } from "./plan.js";

/**
 * What these functions read: warden's access token and the end user's address, as
 * `getWardenToken()` (`@warden/next/server`) returns them. NextAuth's session no longer
 * carries the token (the browser reads it), so passing that is a deny.
 */
export type SessionLike = { accessToken?: string | null; error?: string | null; clientIp?: string | null } | null | undefined;

export interface ResourceLike {
  type: string;
  id: string;
  /** The resource's attributes (ownership: `{ owner: "alice" }`). */
  properties?: Record<string, unknown>;
}

export interface Decision {
  allowed: boolean;
  /** The determining policies. */
  reasons: string[];
  /** Why the decision failed closed, if it did (warden's own, or this client's). */
  errors: string[];
  /** True when there is no live session (no token, or warden refused it): sign in again. */
  unauthenticated: boolean;
}

export interface DecideOptions {
  client?: WardenClient;
}

function deny(errors: string[], unauthenticated = false): Decision {
  return { allowed: false, reasons: [], errors, unauthenticated };
}

const NO_TOKEN = "no signed-in session (no access token: pass getWardenToken(), not NextAuth's session)";

function call(session: SessionLike): { clientIp?: string } {
  return session?.clientIp ? { clientIp: session.clientIp } : {};
}

function token(session: SessionLike): string | undefined {
  if (!session || session.error) return undefined;
  return typeof session.accessToken === "string" && session.accessToken ? session.accessToken : undefined;
}

function request(action: string, resource: ResourceLike, context?: Record<string, unknown>): AuthorizeRequest {
  const r: AuthorizeRequest = { action, resource: { type: resource.type, id: resource.id } };
  if (resource.properties) r.resource.properties = resource.properties;
  if (context) r.context = context;
  return r;
}

function failure(e: unknown): Decision {
  if (e instanceof WardenHttpError && e.status === 401) return deny([e.message], true);
  return deny([e instanceof Error ? e.message : String(e)]);
}

/** May the session's user do `action` on `resource`? Any failure is a deny. */
export async function authorize(
  session: SessionLike,
  action: string,
  resource: ResourceLike,
  context?: Record<string, unknown>,
  options: DecideOptions = {},
): Promise<Decision> {
  const accessToken = token(session);
  if (!accessToken) return deny([session?.error ? `no live session (${session.error})` : NO_TOKEN], true);
  try {
    const answer = await (options.client ?? wardenClient()).authorize(accessToken, request(action, resource, context), call(session));
    return { allowed: answer.allowed, reasons: answer.reasons, errors: answer.errors ?? [], unauthenticated: false };
  } catch (e) {
    return failure(e);
  }
}

export interface Question {
  action: string;
  resource: ResourceLike;
  context?: Record<string, unknown>;
}

/**
 * Several decisions in one call (`POST /v1/authorize/batch`), in the order asked. If the batch
 * fails, every answer is a deny.
 */
export async function authorizeMany(
  session: SessionLike,
  questions: Question[],
  options: DecideOptions = {},
): Promise<Decision[]> {
  if (questions.length === 0) return [];
  const accessToken = token(session);
  if (!accessToken) return questions.map(() => deny([session?.error ? `no live session (${session.error})` : NO_TOKEN], true));
  try {
    const answers = await (options.client ?? wardenClient()).authorizeMany(
      accessToken,
      questions.map((q) => request(q.action, q.resource, q.context)),
      call(session),
    );
    return answers.map((a) => ({ allowed: a.allowed, reasons: a.reasons, errors: a.errors ?? [], unauthenticated: false }));
  } catch (e) {
    const d = failure(e);
    return questions.map(() => ({ ...d }));
  }
}

/**
 * Like `authorize`, but throws `WardenDeniedError` unless allowed. In a server action:
 *
 * ```ts
 * try { await requireAllowed(await getWardenToken(), "deleteUserResource", { type: "UserResource", id }); }
 * catch (e) { if (isWardenDeniedError(e)) return e.toResult(); throw e; }
 * ```
 */
export async function requireAllowed(
  session: SessionLike,
  action: string,
  resource: ResourceLike,
  context?: Record<string, unknown>,
  options: DecideOptions = {},
): Promise<Decision> {
  const decision = await authorize(session, action, resource, context, options);
  if (!decision.allowed) {
    throw new WardenDeniedError({
      action,
      resource,
      reasons: decision.reasons,
      errors: decision.errors,
      unauthenticated: decision.unauthenticated,
    });
  }
  return decision;
}

/** A plan, with why it fell back to allowing nothing, if it did. */
export type PlanResult = Plan & { errors?: string[]; unauthenticated?: boolean };

/**
 * The condition under which the session's user may do `action` on resources of `resourceType`
 * (`POST /v1/authorize/plan`), for list pages (see `planToPrismaWhere`). Any failure is a plan
 * that allows nothing.
 */
export async function plan(
  session: SessionLike,
  action: string,
  resourceType: string,
  context?: Record<string, unknown>,
  options: DecideOptions = {},
): Promise<PlanResult> {
  const accessToken = token(session);
  if (!accessToken) {
    return { ...deniedPlan(), errors: [session?.error ? `no live session (${session.error})` : NO_TOKEN], unauthenticated: true };
  }
  try {
    const req: { action: string; resource_type: string; context?: Record<string, unknown> } = {
      action,
      resource_type: resourceType,
    };
    if (context) req.context = context;
    return await (options.client ?? wardenClient()).plan(accessToken, req, call(session));
  } catch (e) {
    const d = failure(e);
    return { ...deniedPlan(), errors: d.errors, unauthenticated: d.unauthenticated };
  }
}
