// A query plan as a Prisma `where`. Exact or nothing: every node is translated to a filter that
// selects exactly the rows the plan allows, or the translation throws `PlanTranslationError`.
// An op this code does not know, an attribute the mapping does not name, a plan with
// unsupported residuals, a comparison Prisma cannot express: all throw, so a list page shows
// nothing (or checks row by row with `authorize`) instead of showing what it must not.

import { PlanTranslationError } from "./errors.js";
import type { Expr, Operand, Plan } from "./plan.js";

/** How one Cedar attribute of the resource is stored. */
export type FieldMapping =
  | string
  | {
      /** The Prisma field, dotted through to-one relations: `ownerId`, `folder.id`. */
      field: string;
      /**
       * `scalar` (default); `list` for a scalar list column (`String[]`: `contains` and
       * value-`in`-attribute become `has`); `relation` for a to-many relation (`some`).
       */
      kind?: "scalar" | "list" | "relation";
      /** For `relation`: the related model's field holding the value (default `id`). */
      key?: string;
      /** When the attribute is an entity (`resource.owner == User::"alice"`): its type. The
       * column holds the entity's id. */
      entityType?: string;
    };

export interface PrismaMapping {
  /** Cedar attribute path (`resource.owner`, `resource.folder.id`) to its column. `resource`
   * itself is the resource (`resource == Document::"d1"`): map it to the id column with its
   * `entityType`. */
  attributes: Record<string, FieldMapping>;
  /**
   * Cedar's `like` is case-sensitive; Prisma's `contains`/`startsWith`/`endsWith` are not on
   * SQLite and (by collation) often not on MySQL, where they would select too many rows. Set
   * this only when the database compares them case-sensitively (PostgreSQL by default); without
   * it a `like` throws.
   */
  caseSensitiveLike?: boolean;
}

export type PrismaWhere = Record<string, unknown>;

/** Matches every row (Prisma: an empty AND). */
const ALL: PrismaWhere = { AND: [] };
/** Matches no row (Prisma: an empty OR). */
const NONE: PrismaWhere = { OR: [] };

/** Deeper trees than this are refused (a plan is small; a huge one is a bug or an attack). */
const MAX_DEPTH = 64;

/**
 * The Prisma `where` selecting exactly the rows `plan` allows. AND it with your own filter:
 * `prisma.document.findMany({ where: { AND: [planToPrismaWhere(p, mapping), yourWhere] } })`.
 * Throws `PlanTranslationError` for anything it cannot translate exactly.
 */
export function planToPrismaWhere(plan: Plan, mapping: PrismaMapping): PrismaWhere {
  if (plan === null || typeof plan !== "object") throw new PlanTranslationError("not a plan");
  if (Array.isArray(plan.unsupported) && plan.unsupported.length > 0) {
    throw new PlanTranslationError(
      `the plan has residuals it cannot express (${plan.unsupported.join("; ")}): check each resource with authorize`,
      plan.unsupported,
    );
  }
  switch (plan.kind) {
    case "always_denied":
      return NONE;
    case "always_allowed":
      return ALL;
    case "conditional":
      if (plan.condition === null || plan.condition === undefined) {
        throw new PlanTranslationError("a conditional plan without a condition");
      }
      return translate(plan.condition, mapping, 0);
    default:
      throw new PlanTranslationError(`unknown plan kind ${JSON.stringify((plan as { kind: unknown }).kind)}`);
  }
}

function translate(e: Expr, m: PrismaMapping, depth: number): PrismaWhere {
  if (depth > MAX_DEPTH) throw new PlanTranslationError("the condition is nested too deeply");
  if (e === null || typeof e !== "object" || Array.isArray(e)) throw new PlanTranslationError("a condition node is not an object");
  const node = e as Record<string, unknown>;
  switch (node.op) {
    case "true":
      return ALL;
    case "false":
      return NONE;
    case "and":
    case "or": {
      if (!Array.isArray(node.args)) throw new PlanTranslationError(`\`${node.op}\` without args`);
      const args = node.args.map((a) => translate(a as Expr, m, depth + 1));
      return node.op === "and" ? { AND: args } : { OR: args };
    }
    case "not":
      return { NOT: translate(node.arg as Expr, m, depth + 1) };
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return compare(node.op, node.left as Operand, node.right as Operand, m);
    case "in":
      return membership(node.left as Operand, node.right as Operand, m);
    case "contains": {
      // `left` is a set attribute containing the value `right`.
      const left = attribute(node.left as Operand, m, "contains");
      return setHas(left, literal(node.right as Operand, left), "contains");
    }
    case "has": {
      if (typeof node.attr !== "string") throw new PlanTranslationError("`has` without attr");
      const f = field(node.attr, m);
      if (f.kind === "relation") return nest(f.field, { some: {} });
      if (f.kind === "list") throw new PlanTranslationError(`\`has\` on the list ${node.attr}`);
      return nest(f.field, { not: null });
    }
    case "like":
      return like(node.left as Operand, node.pattern, m);
    default:
      // Fail closed on ops added to the format after this client was written.
      throw new PlanTranslationError(`unknown op ${JSON.stringify(node.op)}`);
  }
}

interface Field {
  path: string;
  field: string;
  kind: "scalar" | "list" | "relation";
  key: string;
  entityType?: string;
}

function field(path: string, m: PrismaMapping): Field {
  const found = Object.prototype.hasOwnProperty.call(m.attributes, path) ? m.attributes[path] : undefined;
  if (found === undefined) throw new PlanTranslationError(`the mapping does not name the attribute ${path}`);
  if (typeof found === "string") return { path, field: found, kind: "scalar", key: "id" };
  const f: Field = { path, field: found.field, kind: found.kind ?? "scalar", key: found.key ?? "id" };
  if (found.entityType !== undefined) f.entityType = found.entityType;
  return f;
}

function isAttr(o: Operand): o is { attr: string } {
  return typeof o === "object" && o !== null && typeof (o as { attr?: unknown }).attr === "string";
}

function attribute(o: Operand, m: PrismaMapping, op: string): Field {
  if (!isAttr(o)) throw new PlanTranslationError(`\`${op}\` needs an attribute on its left`);
  return field(o.attr, m);
}

type Scalar = string | number | boolean;

function scalar(v: unknown, f: Field): Scalar {
  if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const ent = v as { type?: unknown; id?: unknown };
    if (typeof ent.type === "string" && typeof ent.id === "string") return entityId(ent.type, ent.id, f);
  }
  if (f.entityType !== undefined) {
    throw new PlanTranslationError(`${f.path} holds ${f.entityType} entities, compared with a plain value`);
  }
  if (typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number" && Number.isFinite(v)) return v;
  throw new PlanTranslationError(`unsupported value ${JSON.stringify(v)} for ${f.path}`);
}

function entityId(type: string, id: string, f: Field): string {
  if (f.entityType === undefined) {
    throw new PlanTranslationError(`${f.path} is compared with an entity: give its entityType in the mapping`);
  }
  if (type !== f.entityType) {
    throw new PlanTranslationError(`${f.path} holds ${f.entityType} entities, compared with a ${type}`);
  }
  return id;
}

/** The value of a literal operand, for comparison with field `f`. */
function literal(o: Operand, f: Field): Scalar {
  if (typeof o !== "object" || o === null) throw new PlanTranslationError("an operand is not an object");
  if ("entity" in o && o.entity && typeof o.entity === "object") {
    const { type, id } = o.entity as { type?: unknown; id?: unknown };
    if (typeof type !== "string" || typeof id !== "string") throw new PlanTranslationError("a malformed entity operand");
    return entityId(type, id, f);
  }
  if ("value" in o) {
    if (Array.isArray(o.value)) throw new PlanTranslationError(`a set compared with ${f.path}`);
    return scalar(o.value, f);
  }
  throw new PlanTranslationError(`an unsupported operand ${JSON.stringify(o)} (attribute against attribute?)`);
}

const FLIP: Record<string, string> = { "==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<=" };
const PRISMA: Record<string, string> = { "<": "lt", "<=": "lte", ">": "gt", ">=": "gte" };

function compare(op: string, left: Operand, right: Operand, m: PrismaMapping): PrismaWhere {
  let attr: Operand = left;
  let other: Operand = right;
  let o = op;
  if (!isAttr(left)) {
    if (!isAttr(right)) throw new PlanTranslationError(`\`${op}\` between two literals`);
    attr = right;
    other = left;
    o = FLIP[op] ?? op;
  }
  const f = field((attr as { attr: string }).attr, m);
  if (f.kind !== "scalar") throw new PlanTranslationError(`\`${op}\` on the set ${f.path}`);
  const v = literal(other, f);
  if (o === "==") return nest(f.field, { equals: v });
  if (o === "!=") {
    // Cedar: an absent attribute is an error (a deny); SQL's NULL <> v is not true either.
    return nest(f.field, { not: v });
  }
  if (typeof v !== "number") throw new PlanTranslationError(`\`${op}\` on a non-number (${f.path})`);
  return nest(f.field, { [PRISMA[o] as string]: v });
}

function membership(left: Operand, right: Operand, m: PrismaMapping): PrismaWhere {
  if (isAttr(left)) {
    // An attribute among a set of values.
    const f = field(left.attr, m);
    if (f.kind !== "scalar") throw new PlanTranslationError(`\`in\` with the set ${f.path} on its left`);
    if (typeof right !== "object" || right === null || !("value" in right) || !Array.isArray(right.value)) {
      throw new PlanTranslationError(`\`in\` needs a set of values on its right (${f.path})`);
    }
    return nest(f.field, { in: right.value.map((v) => scalar(v, f)) });
  }
  // A value in a set attribute.
  const f = attribute(right, m, "in");
  return setHas(f, literal(left, f), "in");
}

function setHas(f: Field, v: Scalar, op: string): PrismaWhere {
  if (f.kind === "list") return nest(f.field, { has: v });
  if (f.kind === "relation") return nest(f.field, { some: { [f.key]: v } });
  throw new PlanTranslationError(`\`${op}\` on ${f.path}, which the mapping does not call a list or relation`);
}

function like(left: Operand, pattern: unknown, m: PrismaMapping): PrismaWhere {
  const f = attribute(left, m, "like");
  if (f.kind !== "scalar") throw new PlanTranslationError(`\`like\` on the set ${f.path}`);
  if (typeof pattern !== "string") throw new PlanTranslationError("`like` without a pattern");
  // Split on unescaped stars; `\*` is a literal star and `\\` a literal backslash. Any other
  // backslash is refused rather than guessed at.
  const parts: string[] = [""];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") {
        throw new PlanTranslationError(`a \`like\` pattern with an escape other than \\* or \\\\ (${f.path})`);
      }
      parts[parts.length - 1] += next;
      i++;
    } else if (c === "*") {
      parts.push("");
    } else {
      parts[parts.length - 1] += c;
    }
  }
  if (parts.length === 1) return nest(f.field, { equals: parts[0] });
  if (!m.caseSensitiveLike) {
    throw new PlanTranslationError(
      `\`like\` on ${f.path}: set caseSensitiveLike when the database compares case-sensitively`,
    );
  }
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((p) => p !== "");
  if (middle.length > 1 || (middle.length === 1 && (first !== "" || last !== ""))) {
    throw new PlanTranslationError(`the \`like\` pattern ${JSON.stringify(pattern)} has no Prisma filter`);
  }
  if (middle.length === 1) return nest(f.field, { contains: middle[0] });
  const filter: Record<string, string> = {};
  if (first !== "") filter.startsWith = first;
  if (last !== "") filter.endsWith = last;
  if (first === "" && last === "") return nest(f.field, { not: null });
  return nest(f.field, filter);
}

/** `{ a: { b: filter } }` for the dotted path `a.b`. */
function nest(path: string, filter: unknown): PrismaWhere {
  const names = path.split(".");
  if (names.some((n) => n === "")) throw new PlanTranslationError(`a malformed field path ${path}`);
  let out: unknown = filter;
  for (let i = names.length - 1; i >= 0; i--) out = { [names[i] as string]: out };
  return out as PrismaWhere;
}
