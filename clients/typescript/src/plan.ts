// The query plan of POST /v1/authorize/plan (its wire format is agreed in the repository's
// plan-format note and described in warden's OpenAPI document). The expression tree is typed
// here by hand: the tree is recursive and the client must check every node anyway.

import type { components } from "./generated/openapi.js";

/** An operand of a comparison. */
export type Operand =
  | { attr: string }
  | { value: PlanValue }
  | { entity: { type: string; id: string } };

export type PlanScalar = string | number | boolean;
export type PlanValue = PlanScalar | Array<PlanScalar | { type: string; id: string }>;

/** A condition over the resource's attributes. */
export type Expr =
  | { op: "true" }
  | { op: "false" }
  | { op: "and"; args: Expr[] }
  | { op: "or"; args: Expr[] }
  | { op: "not"; arg: Expr }
  | { op: "==" | "!=" | "<" | "<=" | ">" | ">="; left: Operand; right: Operand }
  | { op: "in"; left: Operand; right: Operand }
  | { op: "contains"; left: Operand; right: Operand }
  | { op: "has"; attr: string }
  | { op: "like"; left: Operand; pattern: string };

export type PlanKind = "always_allowed" | "always_denied" | "conditional";

/** The answer of POST /v1/authorize/plan. */
export interface Plan {
  kind: PlanKind;
  /** Exact when `unsupported` is empty; `null` only when it is not. */
  condition: Expr | null;
  /** Residuals that could not be expressed: check each resource with `authorize`. */
  unsupported: string[];
  /** Ids of the policies that contributed. */
  reasons: string[];
}

/** The request of POST /v1/authorize/plan. */
export interface PlanRequest {
  action: string;
  resource_type: string;
  context?: Record<string, unknown>;
}

/** The request of POST /v1/authorize/plan/sql: the plan request and the column mapping. */
export type PlanSqlRequest = components["schemas"]["PlanSqlRequest"];
/** How the resource's attributes map to columns and join tables, and the SQL dialect. */
export type ColumnMapping = components["schemas"]["ColumnMapping"];
/** The answer of POST /v1/authorize/plan/sql: the fragment, its parameters and the plan. */
export type PlanSql = Omit<components["schemas"]["PlanSql"], "plan"> & { plan: Plan };

/** A plan that allows nothing: what a failure becomes (fail closed). */
export function deniedPlan(): Plan {
  return { kind: "always_denied", condition: { op: "false" }, unsupported: [], reasons: [] };
}

/**
 * Whether `x` has the shape of a SQL fragment answer: a parenthesised fragment, scalar
 * parameters and a plan. Anything else is refused (fail closed: no rows).
 */
export function isPlanSql(x: unknown): x is PlanSql {
  if (typeof x !== "object" || x === null) return false;
  const a = x as Record<string, unknown>;
  return (
    typeof a.sql === "string" &&
    a.sql.startsWith("(") &&
    a.sql.endsWith(")") &&
    Array.isArray(a.params) &&
    a.params.every((p) => typeof p === "string" || typeof p === "boolean" || (typeof p === "number" && Number.isInteger(p))) &&
    isPlan(a.plan)
  );
}

/** Whether `x` has the top-level shape of a plan (the tree is checked where it is used). */
export function isPlan(x: unknown): x is Plan {
  if (typeof x !== "object" || x === null) return false;
  const p = x as Record<string, unknown>;
  return (
    (p.kind === "always_allowed" || p.kind === "always_denied" || p.kind === "conditional") &&
    (p.condition === null || (typeof p.condition === "object" && !Array.isArray(p.condition))) &&
    Array.isArray(p.unsupported) &&
    p.unsupported.every((u) => typeof u === "string") &&
    Array.isArray(p.reasons) &&
    p.reasons.every((r) => typeof r === "string")
  );
}
