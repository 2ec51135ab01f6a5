// A service's own client: OpenID AuthZEN 1.0 (evaluation, evaluations, subject, resource and
// action searches) with a service client key (`warden client add NAME --json`), typed from the
// generated contract. For back ends that decide for a user they name (a job, an API gateway,
// another service), not for the signed-in user of a Next.js request (that is `authorize()`).
//
// Fail closed: `isAllowed()` answers `true` only for a well-formed allow; anything else (a
// deny, an error status, no answer, a malformed one) is `false`. The other methods throw on
// errors (`WardenHttpError`, `WardenUnavailableError`) and check every answer's shape before
// returning it. The key is a credential: keep it on the server.

import { isObject, postJson, type Endpoint, type Schemas } from "./client.js";
import { isPlan, type Plan } from "./plan.js";

export type Subject = Schemas["Subject"];
export type Action = Schemas["Action"];
export type Resource = Schemas["Resource"];
export type Evaluation = Schemas["Evaluation"];
export type EvaluationItem = Schemas["EvaluationItem"];
export type EvaluationsBatch = Schemas["EvaluationsBatch"];
export type EvaluationsOptions = Schemas["EvaluationsOptions"];
export type EvaluationAnswer = Schemas["EvaluationAnswer"];
export type EvaluationsAnswer = Schemas["EvaluationsAnswer"];
export type SubjectSearch = Schemas["SubjectSearch"];
export type SubjectSearchAnswer = Schemas["SubjectSearchAnswer"];
export type ResourceSearch = Schemas["ResourceSearch"];
/** The plan is the package's `Plan` (checked like `plan()`'s), ready for the ORM helpers. */
export type ResourceSearchAnswer = Omit<Schemas["ResourceSearchAnswer"], "plan"> & { plan: Plan };
export type ActionSearch = Schemas["ActionSearch"];
export type ActionSearchAnswer = Schemas["ActionSearchAnswer"];

export interface WardenServiceClientOptions {
  /** warden's base URL (default: `WARDEN_URL`, else http://127.0.0.1:8080). */
  url?: string;
  /** The service client key (default: `WARDEN_CLIENT_KEY`). Required: without one, the
   * constructor throws (every AuthZEN route needs it). */
  clientKey?: string;
  /** Per request, in milliseconds (default 5000). */
  timeoutMs?: number;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/** AuthZEN 1.0 with a service client key (`Authorization: Bearer <key>`). */
export class WardenServiceClient {
  readonly url: string;
  private readonly endpoint: Endpoint;
  private readonly headers: Record<string, string>;

  constructor(options: WardenServiceClientOptions = {}) {
    const key = (options.clientKey ?? process.env.WARDEN_CLIENT_KEY) || undefined;
    if (key === undefined) {
      throw new Error("WardenServiceClient needs a service client key (clientKey or WARDEN_CLIENT_KEY)");
    }
    this.url = (options.url ?? process.env.WARDEN_URL ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
    this.endpoint = {
      url: this.url,
      timeoutMs: options.timeoutMs ?? 5000,
      fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    };
    this.headers = { authorization: `Bearer ${key}` };
  }

  /** POST /access/v1/evaluation: one decision (an unknown subject is a deny). */
  evaluation(request: Evaluation): Promise<EvaluationAnswer> {
    return this.post("/access/v1/evaluation", request, isEvaluationAnswer);
  }

  /**
   * Whether `request` is allowed: `true` only for a well-formed allow. Any error (warden
   * unreachable, a refused request, a malformed answer) is `false`, never a throw.
   */
  async isAllowed(request: Evaluation): Promise<boolean> {
    try {
      return (await this.evaluation(request)).decision === true;
    } catch {
      return false;
    }
  }

  /**
   * POST /access/v1/evaluations: the decisions of `request.evaluations` in order, each item
   * completed by the top-level defaults. A bad item is a deny (with `options.explain`, the
   * reason is in its `context`). The answer must have one decision per item.
   */
  async evaluations(request: EvaluationsBatch): Promise<EvaluationAnswer[]> {
    const answer = await this.post("/access/v1/evaluations", request, (x): x is EvaluationsAnswer =>
      isObject(x) && Array.isArray(x.evaluations) && x.evaluations.every(isEvaluationAnswer),
    );
    if (answer.evaluations.length !== request.evaluations.length) {
      // Fewer answers are fine only when a short-circuit semantic stopped early.
      const semantic = request.options?.evaluations_semantic ?? "execute_all";
      if (semantic === "execute_all" || answer.evaluations.length > request.evaluations.length) {
        throw new Error(`asked ${request.evaluations.length} evaluations, got ${answer.evaluations.length}`);
      }
    }
    return answer.evaluations;
  }

  /** POST /access/v1/search/subject: a page of the subjects allowed. */
  searchSubject(request: SubjectSearch): Promise<SubjectSearchAnswer> {
    return this.post("/access/v1/search/subject", request, (x): x is SubjectSearchAnswer =>
      isObject(x) && Array.isArray(x.results) && isPage(x.page),
    );
  }

  /**
   * POST /access/v1/search/resource: a page of the resources allowed (directory users for the
   * type `User`) and the query plan for every resource of the type (apply it with
   * `planToPrismaWhere` or `planToDrizzle` for resources warden does not hold).
   */
  searchResource(request: ResourceSearch): Promise<ResourceSearchAnswer> {
    return this.post("/access/v1/search/resource", request, (x): x is ResourceSearchAnswer =>
      isObject(x) &&
      Array.isArray(x.results) &&
      isPage(x.page) &&
      typeof x.enumerated === "boolean" &&
      isPlan(x.plan),
    );
  }

  /** POST /access/v1/search/action: a page of the actions allowed. */
  searchAction(request: ActionSearch): Promise<ActionSearchAnswer> {
    return this.post("/access/v1/search/action", request, (x): x is ActionSearchAnswer =>
      isObject(x) && Array.isArray(x.results) && isPage(x.page),
    );
  }

  private post<T>(path: string, body: unknown, check: (x: unknown) => x is T): Promise<T> {
    return postJson(this.endpoint, path, body, this.headers, check);
  }
}

function isEvaluationAnswer(x: unknown): x is EvaluationAnswer {
  return isObject(x) && typeof x.decision === "boolean";
}

function isPage(x: unknown): boolean {
  return isObject(x) && typeof x.next_token === "string";
}
