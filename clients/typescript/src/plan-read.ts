// Reading a query plan for the ORM adapters (prisma.ts, drizzle.ts): the checks every adapter
// makes the same way. The plan comes over the network and its tree is only typed by hand, so
// every node is checked here and anything unexpected throws `PlanTranslationError`: an adapter
// never skips a node it does not understand (skipping a conjunct would widen the filter).

import { PlanTranslationError } from "./errors.js";
import type { Expr, Operand, Plan } from "./plan.js";

/** Deeper trees than this are refused (a plan is small; a huge one is a bug or an attack). */
export const MAX_DEPTH = 64;

/** A plain value of a plan: what a column holds. */
export type Scalar = string | number | boolean;

/** An entity named by a plan (`User::"alice"`), held in a column as its id. */
export interface EntityValue {
  type: string;
  id: string;
}

/** A literal operand: one value, one entity, or a set of either. */
export type Literal =
  | { kind: "scalar"; value: Scalar }
  | { kind: "entity"; entity: EntityValue }
  | { kind: "set"; items: Array<Scalar | EntityValue> };

/**
 * The plan's condition, or `"all"` / `"none"` for the two constant kinds. A plan with
 * `unsupported` residuals is refused: its condition is not exact, and an adapter that used it
 * could show rows the user may not see.
 */
export function planCondition(plan: Plan): Expr | "all" | "none" {
  if (plan === null || typeof plan !== "object") throw new PlanTranslationError("not a plan");
  if (!Array.isArray(plan.unsupported)) throw new PlanTranslationError("a plan without its unsupported list");
  if (plan.unsupported.length > 0) {
    throw new PlanTranslationError(
      `the plan has residuals it cannot express (${plan.unsupported.join("; ")}): check each resource with authorize`,
      plan.unsupported.map(String),
    );
  }
  switch (plan.kind) {
    case "always_denied":
      return "none";
    case "always_allowed":
      return "all";
    case "conditional":
      if (plan.condition === null || plan.condition === undefined) {
        throw new PlanTranslationError("a conditional plan without a condition");
      }
      return plan.condition;
    default:
      throw new PlanTranslationError(`unknown plan kind ${JSON.stringify((plan as { kind: unknown }).kind)}`);
  }
}

/** The node as a record, after the depth and shape checks every visit makes. */
export function node(e: Expr, depth: number): Record<string, unknown> {
  if (depth > MAX_DEPTH) throw new PlanTranslationError("the condition is nested too deeply");
  if (e === null || typeof e !== "object" || Array.isArray(e)) throw new PlanTranslationError("a condition node is not an object");
  return e as Record<string, unknown>;
}

/** The `args` of an `and`/`or` node. */
export function args(n: Record<string, unknown>): Expr[] {
  if (!Array.isArray(n.args)) throw new PlanTranslationError(`\`${String(n.op)}\` without args`);
  return n.args as Expr[];
}

export function isAttr(o: unknown): o is { attr: string } {
  return typeof o === "object" && o !== null && typeof (o as { attr?: unknown }).attr === "string";
}

/** Look `path` up in a mapping's attributes (own keys only: `constructor` is not a column). */
export function lookup<T>(attributes: Record<string, T>, path: string): T {
  const found = Object.prototype.hasOwnProperty.call(attributes, path) ? attributes[path] : undefined;
  if (found === undefined) throw new PlanTranslationError(`the mapping does not name the attribute ${path}`);
  return found;
}

function entityOf(v: unknown): EntityValue | undefined {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const { type, id } = v as { type?: unknown; id?: unknown };
  if (typeof type === "string" && typeof id === "string") return { type, id };
  throw new PlanTranslationError(`a malformed entity ${JSON.stringify(v)}`);
}

function scalarOf(v: unknown): Scalar {
  if (typeof v === "string" || typeof v === "boolean") return v;
  // Cedar's numbers are 64-bit integers; JSON.parse reads them as doubles, exact only up to
  // 2^53. Beyond that the value read is a neighbour (9007199254740993 becomes ...992), and a
  // comparison with it would select rows Cedar denies: refused, never rounded.
  if (typeof v === "number" && Number.isSafeInteger(v)) return v;
  if (typeof v === "number") {
    throw new PlanTranslationError(`the number ${v} is not a whole number JavaScript holds exactly (beyond 2^53)`);
  }
  throw new PlanTranslationError(`an unsupported value ${JSON.stringify(v)}`);
}

/** A literal operand (`{value}` or `{entity}`), checked; an attribute here is refused. */
export function literal(o: Operand): Literal {
  if (typeof o !== "object" || o === null) throw new PlanTranslationError("an operand is not an object");
  if ("entity" in o) {
    const e = entityOf(o.entity);
    if (e === undefined) throw new PlanTranslationError("a malformed entity operand");
    return { kind: "entity", entity: e };
  }
  if ("value" in o) {
    const v: unknown = o.value;
    if (Array.isArray(v)) return { kind: "set", items: v.map((item) => entityOf(item) ?? scalarOf(item)) };
    const e = entityOf(v);
    return e === undefined ? { kind: "scalar", value: scalarOf(v) } : { kind: "entity", entity: e };
  }
  throw new PlanTranslationError(`an unsupported operand ${JSON.stringify(o)} (attribute against attribute?)`);
}

/** How a column holds an attribute's values, for `columnValue`. */
export interface ValueShape {
  /** The attribute's Cedar path, for messages. */
  path: string;
  /** Set when the attribute holds entities of this type (the column holds their ids). */
  entityType?: string | undefined;
}

/**
 * One literal item as the column holds it: an entity of the attribute's type is its id; a
 * plain value is itself. `undefined` for an entity of another type: it can equal no value of
 * the column, so a set drops it (`resource.team in [User::"alice", Role::"eng"]` with `team: Role`
 * is `team_id IN ('eng')`). A plain value against an entity column, or an entity against a
 * plain column, is a mapping mistake: it throws.
 */
export function columnItem(item: Scalar | EntityValue, shape: ValueShape): Scalar | undefined {
  if (typeof item === "object") {
    if (shape.entityType === undefined) {
      throw new PlanTranslationError(`${shape.path} is compared with an entity: give its entityType in the mapping`);
    }
    return item.type === shape.entityType ? item.id : undefined;
  }
  if (shape.entityType !== undefined) {
    throw new PlanTranslationError(`${shape.path} holds ${shape.entityType} entities, compared with a plain value`);
  }
  return item;
}

/**
 * One value (not a set) as the column holds it. An entity of another type than the column's
 * throws: `==` between a `Role` attribute and a `User` is a mapping mistake or a plan this
 * adapter was not written for, and refusing it is the safe side.
 */
export function columnValue(l: Literal, shape: ValueShape): Scalar {
  if (l.kind === "set") throw new PlanTranslationError(`a set compared with ${shape.path}`);
  const item = l.kind === "entity" ? l.entity : l.value;
  const v = columnItem(item, shape);
  if (v === undefined) {
    throw new PlanTranslationError(`${shape.path} holds ${shape.entityType} entities, compared with a ${(item as EntityValue).type}`);
  }
  return v;
}

/** The items of a set literal as the column holds them, entities of other types dropped. */
export function columnItems(l: Literal, shape: ValueShape): Scalar[] {
  if (l.kind !== "set") throw new PlanTranslationError(`\`in\` needs a set of values on its right (${shape.path})`);
  const out: Scalar[] = [];
  for (const item of l.items) {
    const v = columnItem(item, shape);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/**
 * A Cedar `like` pattern split on its unescaped stars: `a*b\*c` is `["a", "b*c"]`. `\*` is a
 * literal star and `\\` a literal backslash; any other backslash is refused rather than
 * guessed at.
 */
export function likeParts(pattern: unknown, path: string): string[] {
  if (typeof pattern !== "string") throw new PlanTranslationError("`like` without a pattern");
  const parts: string[] = [""];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") {
        throw new PlanTranslationError(`a \`like\` pattern with an escape other than \\* or \\\\ (${path})`);
      }
      parts[parts.length - 1] += next;
      i++;
    } else if (c === "*") {
      parts.push("");
    } else {
      parts[parts.length - 1] += c;
    }
  }
  return parts;
}

/** `<` seen from the other side: `1 < x` is `x > 1`. */
export const FLIP: Readonly<Record<string, string>> = { "==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };

/** A comparison with the attribute on the left: `{attr, op, other}`. */
export function attrFirst(op: string, left: Operand, right: Operand): { attr: string; op: string; other: Operand } {
  if (isAttr(left)) return { attr: left.attr, op, other: right };
  if (isAttr(right)) return { attr: right.attr, op: FLIP[op] ?? op, other: left };
  throw new PlanTranslationError(`\`${op}\` between two literals`);
}
