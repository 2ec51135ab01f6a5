import type { components } from "./generated/openapi.js";

/** Every error this package throws is a `WardenError`. */
export class WardenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** The specific kind of a refused change (`email_taken`, `role_in_use`, ...), from the contract. */
export type ErrorReason = components["schemas"]["Reason"];

/** warden answered with an error status (its JSON error body, when it sent one). */
export class WardenHttpError extends WardenError {
  readonly status: number;
  /** warden's error code (`invalid_grant`, `invalid_credentials`, ...), or `http_<status>`. */
  readonly code: string;
  /**
   * Which conflict or refused value, when the error has a specific kind (`email_taken`,
   * `last_administrator`, ...). Branch on `code` and `reason`, never on the message. A code
   * newer than this package reads as a plain string.
   */
  readonly reason?: ErrorReason | (string & {});
  constructor(status: number, code: string, message: string, reason?: string) {
    super(message);
    this.status = status;
    this.code = code;
    if (reason !== undefined) this.reason = reason;
  }
}

/** No usable answer: network error, timeout, or a body that is not what the contract says. */
export class WardenUnavailableError extends WardenError {
  readonly cause?: unknown;
  constructor(message: string, cause?: unknown) {
    super(message);
    this.cause = cause;
  }
}

/** What a server action can return to the browser for a refusal (plain, serialisable data). */
export interface DeniedResult {
  ok: false;
  error: "denied" | "unauthenticated";
  message: string;
  action: string;
  resource: { type: string; id: string };
  reasons: string[];
}

/**
 * Thrown by `requireAllowed` when the answer is not an allow (a deny, no session, or no usable
 * answer from warden: all fail closed). A server action may `return err.toResult()`: class
 * instances do not cross the server-action boundary, plain objects do.
 */
export class WardenDeniedError extends WardenError {
  readonly action: string;
  readonly resource: { type: string; id: string };
  /** The determining policies of a deny, if warden named any. */
  readonly reasons: string[];
  /** Why warden could not decide (the decision failed closed), if it could not. */
  readonly errors: string[];
  /** True when there was no live session: the user must sign in (again). */
  readonly unauthenticated: boolean;
  constructor(init: {
    action: string;
    resource: { type: string; id: string };
    reasons?: string[];
    errors?: string[];
    unauthenticated?: boolean;
  }) {
    super(
      init.unauthenticated
        ? "Your session has ended. Please sign in again."
        : `Denied: you may not ${init.action} ${init.resource.type} ${init.resource.id}.`,
    );
    this.action = init.action;
    this.resource = { type: init.resource.type, id: init.resource.id };
    this.reasons = init.reasons ?? [];
    this.errors = init.errors ?? [];
    this.unauthenticated = init.unauthenticated ?? false;
  }

  toResult(): DeniedResult {
    return {
      ok: false,
      error: this.unauthenticated ? "unauthenticated" : "denied",
      message: this.message,
      action: this.action,
      resource: this.resource,
      reasons: this.reasons,
    };
  }
}

/** True for a `WardenDeniedError`, also across module copies (bundlers may duplicate classes). */
export function isWardenDeniedError(e: unknown): e is WardenDeniedError {
  return e instanceof WardenDeniedError || (e instanceof Error && e.name === "WardenDeniedError");
}

/**
 * A plan that cannot become a database filter: an unknown op, an attribute the mapping does not
 * name, a plan with unsupported residuals, a shape the target cannot express. Never replaced
 * by a permissive filter: the caller shows nothing or checks each row with `authorize`.
 */
export class PlanTranslationError extends WardenError {
  /** The plan's own `unsupported` list, when that is the reason. */
  readonly unsupported: string[];
  constructor(message: string, unsupported: string[] = []) {
    super(message);
    this.unsupported = unsupported;
  }
}
