// A query plan as a Prisma `where`, typed by the model's own `WhereInput`. Exact or nothing:
// every node is translated to a filter that selects exactly the rows the plan allows, or the
// translation throws `PlanTranslationError`. An op this code does not know, an attribute the
// mapping does not name, a plan with unsupported residuals, a comparison Prisma cannot express:
// all throw, so a list page shows nothing (or checks row by row with `authorize`) instead of
// showing what it must not. Nothing here imports Prisma: the types come from the caller's
// generated client (`Prisma.DocumentWhereInput`), the values are plain objects.

import { PlanTranslationError } from "./errors.js";
import type { Expr, Operand, Plan } from "./plan.js";
import {
  args,
  attrFirst,
  columnItems,
  columnValue,
  isAttr,
  likeParts,
  literal,
  lookup,
  node,
  planCondition,
  type Scalar,
} from "./plan-read.js";

/** An untyped Prisma `where` (the default when no `WhereInput` is named). */
export type PrismaWhere = Record<string, unknown>;

// What TypeScript can check of a mapping against the model's `WhereInput` (as Prisma generates
// it): a scalar field accepts its bare value (`title?: StringFilter | string`), a scalar list
// has `has`, a to-many relation `some`, a to-one relation `is`. With the untyped default every
// string is accepted.
type Logical = "AND" | "OR" | "NOT";
type FieldName<W> = Exclude<keyof W, Logical> & string;
type FilterOf<W, K extends keyof W> = NonNullable<W[K]>;
/** No model named (the default record, or `object` where the call's context says nothing). */
type Untyped<W> = string extends FieldName<W> ? true : [FieldName<W>] extends [never] ? true : false;

/** The model's scalar fields (`ownerId`, `title`). */
export type ScalarField<W> =
  Untyped<W> extends true
    ? string
    : { [K in FieldName<W>]: [Extract<W[K], Scalar>] extends [never] ? never : K }[FieldName<W>];
/** The model's scalar lists (`tags String[]`). */
export type ListField<W> =
  Untyped<W> extends true ? string : { [K in FieldName<W>]: "has" extends keyof FilterOf<W, K> ? K : never }[FieldName<W>];
/** The model's to-many relations (`editors DocumentEditor[]`). */
export type ToManyField<W> =
  Untyped<W> extends true ? string : { [K in FieldName<W>]: "some" extends keyof FilterOf<W, K> ? K : never }[FieldName<W>];
/** The model's to-one relations (`folder Folder?`). */
export type ToOneField<W> =
  Untyped<W> extends true ? string : { [K in FieldName<W>]: "is" extends keyof FilterOf<W, K> ? K : never }[FieldName<W>];
type Related<W, K, Via extends string> = K extends keyof W
  ? Via extends keyof FilterOf<W, K>
    ? NonNullable<FilterOf<W, K>[Via]>
    : never
  : never;

/** A scalar field, or one reached through to-one relations (`folder.id`), two levels at most. */
export type ScalarPath<W, Depth extends unknown[] = []> =
  Untyped<W> extends true
    ? string
    : Depth["length"] extends 2
      ? ScalarField<W>
      : ScalarField<W> | { [K in ToOneField<W>]: `${K}.${ScalarPath<Related<W, K, "is">, [...Depth, 1]>}` }[ToOneField<W>];

/** How one Cedar attribute of the resource is stored in the model whose filter is `W`. */
export type FieldMapping<W = PrismaWhere> =
  | ScalarPath<W>
  | {
      /** The Prisma field, dotted through to-one relations: `ownerId`, `folder.id`. */
      field: ScalarPath<W>;
      kind?: "scalar";
      /** When the attribute is an entity (`resource.owner == User::"alice"`): its type. The
       * column holds the entity's id. */
      entityType?: string;
    }
  | {
      /** A scalar list column (`String[]`): `contains` becomes `has` (`hasSome`/`hasEvery`
       * for an `or`/`and` of them). */
      field: ListField<W>;
      kind: "list";
      entityType?: string;
    }
  | {
      [K in ToManyField<W>]: {
        /** A to-many relation (a join table): `contains` becomes `some`. */
        field: K;
        kind: "relation";
        /** The related model's field holding the value (default `id`). */
        key?: Untyped<W> extends true ? string : ScalarField<Related<W, K, "some">>;
        entityType?: string;
      };
    }[ToManyField<W>];

/** The columns of one model, for `planToPrismaWhere<Prisma.DocumentWhereInput>`. */
export interface PrismaMapping<W = PrismaWhere> {
  /** Cedar attribute path (`resource.owner`, `resource.meta.level`) to its column. `resource`
   * itself is the resource (`resource == Document::"d1"`): map it to the id column with its
   * `entityType`. */
  attributes: Record<string, FieldMapping<NoInfer<W>>>;
  /**
   * Cedar's `like` is case-sensitive; Prisma's `contains`/`startsWith`/`endsWith` are not on
   * SQLite and (by collation) often not on MySQL, where they would select too many rows. Set
   * this only when the database compares them case-sensitively (PostgreSQL by default); without
   * it a `like` with a wildcard throws.
   */
  caseSensitiveLike?: boolean;
}

/** Matches every row (Prisma: an empty AND). */
const ALL: PrismaWhere = { AND: [] };
/** Matches no row (Prisma: an empty OR). */
const NONE: PrismaWhere = { OR: [] };

/**
 * The Prisma `where` selecting exactly the rows `plan` allows, typed as the model's filter:
 * `planToPrismaWhere<Prisma.DocumentWhereInput>(p, mapping)` checks the mapping's fields
 * against the model and returns a `DocumentWhereInput`. AND it with your own filter:
 * `prisma.document.findMany({ where: { AND: [where, yourWhere] } })`.
 * Throws `PlanTranslationError` for anything it cannot translate exactly.
 */
export function planToPrismaWhere<W extends object = PrismaWhere>(plan: Plan, mapping: PrismaMapping<W>): W {
  const condition = planCondition(plan);
  const m = mapping as unknown as PrismaMapping;
  const out = condition === "all" ? ALL : condition === "none" ? NONE : translate(condition, m, 0);
  // The mapping's fields were checked against W above; the shapes built here are the ones
  // Prisma's WhereInput types describe (equals/not/in/lt.., has/hasSome/hasEvery, some, nesting
  // through to-one relations, AND/OR/NOT).
  return out as W;
}

function translate(e: Expr, m: PrismaMapping, depth: number): PrismaWhere {
  const n = node(e, depth);
  switch (n.op) {
    case "true":
      return ALL;
    case "false":
      return NONE;
    case "and":
    case "or": {
      const list = args(n);
      const merged = mergeListTests(n.op, list, m);
      if (merged) return merged;
      const parts = list.map((a) => translate(a, m, depth + 1));
      return n.op === "and" ? { AND: parts } : { OR: parts };
    }
    case "not":
      return { NOT: translate(n.arg as Expr, m, depth + 1) };
    case "==":
    case "!=":
    case "<":
    case "<=":
    case ">":
    case ">=":
      return compare(n.op, n.left as Operand, n.right as Operand, m);
    case "in":
      return membership(n.left as Operand, n.right as Operand, m);
    case "contains": {
      // `left` is a set attribute containing the value `right`.
      if (!isAttr(n.left)) throw new PlanTranslationError("`contains` needs an attribute on its left");
      const f = field(n.left.attr, m);
      return setHas(f, columnValue(literal(n.right as Operand), f), "contains");
    }
    case "has": {
      if (typeof n.attr !== "string") throw new PlanTranslationError("`has` without attr");
      const f = field(n.attr, m);
      if (f.kind !== "scalar") {
        // A present but empty set has the attribute, and a list or a join table cannot tell
        // "absent" from "empty": `some: {}` would be false for it, and true under a NOT.
        throw new PlanTranslationError(`\`has\` on the set ${n.attr}: a ${f.kind} cannot tell an absent set from an empty one`);
      }
      return nest(f.field, { not: null });
    }
    case "like":
      return like(n.left as Operand, n.pattern, m);
    default:
      // Fail closed on ops added to the format after this client was written.
      throw new PlanTranslationError(`unknown op ${JSON.stringify(n.op)}`);
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
  const found = lookup(m.attributes, path);
  if (typeof found === "string") return { path, field: found, kind: "scalar", key: "id" };
  if (typeof found !== "object" || found === null || typeof found.field !== "string") {
    throw new PlanTranslationError(`a malformed mapping for ${path}`);
  }
  const kind = found.kind ?? "scalar";
  if (kind !== "scalar" && kind !== "list" && kind !== "relation") throw new PlanTranslationError(`an unknown kind for ${path}`);
  const key = "key" in found && typeof found.key === "string" ? found.key : "id";
  const f: Field = { path, field: found.field, kind, key };
  if (found.entityType !== undefined) f.entityType = found.entityType;
  return f;
}

const PRISMA: Record<string, string> = { "<": "lt", "<=": "lte", ">": "gt", ">=": "gte" };

function compare(op: string, left: Operand, right: Operand, m: PrismaMapping): PrismaWhere {
  const c = attrFirst(op, left, right);
  const f = field(c.attr, m);
  if (f.kind !== "scalar") throw new PlanTranslationError(`\`${op}\` on the set ${f.path}`);
  const v = columnValue(literal(c.other), f);
  if (c.op === "==") return nest(f.field, { equals: v });
  if (c.op === "!=") {
    // Cedar: an absent attribute is an error (a deny); SQL's NULL <> v is not true either.
    return nest(f.field, { not: v });
  }
  if (typeof v !== "number") throw new PlanTranslationError(`\`${op}\` on a non-number (${f.path})`);
  return nest(f.field, { [PRISMA[c.op] as string]: v });
}

function membership(left: Operand, right: Operand, m: PrismaMapping): PrismaWhere {
  if (isAttr(left)) {
    // An attribute among a set of values: `resource.team in [User::"alice", Role::"eng"]`
    // (the principal and its ancestors) or `resource in [Document::"d1", ...]`.
    const f = field(left.attr, m);
    if (f.kind !== "scalar") throw new PlanTranslationError(`\`in\` with the set ${f.path} on its left`);
    return nest(f.field, { in: columnItems(literal(right), f) });
  }
  // A value in a set attribute.
  if (!isAttr(right)) throw new PlanTranslationError("`in` needs an attribute on one side");
  const f = field(right.attr, m);
  return setHas(f, columnValue(literal(left), f), "in");
}

function setHas(f: Field, v: Scalar, op: string): PrismaWhere {
  if (f.kind === "list") return nest(f.field, { has: v });
  if (f.kind === "relation") return nest(f.field, { some: { [f.key]: v } });
  throw new PlanTranslationError(`\`${op}\` on ${f.path}, which the mapping does not call a list or relation`);
}

/**
 * `containsAny`/`containsAll` of a literal set arrive as an `or`/`and` of `contains` on one
 * attribute; on a scalar list that is one `hasSome`/`hasEvery`. `undefined` when the node is
 * not of that shape (it is then translated node by node, which is as exact).
 */
function mergeListTests(op: "and" | "or", list: Expr[], m: PrismaMapping): PrismaWhere | undefined {
  if (list.length < 2) return undefined;
  let f: Field | undefined;
  const values: Scalar[] = [];
  for (const e of list) {
    if (e === null || typeof e !== "object") return undefined;
    const n = e as Record<string, unknown>;
    if (n.op !== "contains" || !isAttr(n.left)) return undefined;
    if (f !== undefined && n.left.attr !== f.path) return undefined;
    const here: Field = f ?? field(n.left.attr, m);
    if (here.kind !== "list") return undefined;
    f = here;
    values.push(columnValue(literal(n.right as Operand), here));
  }
  if (f === undefined) return undefined;
  return nest(f.field, { [op === "or" ? "hasSome" : "hasEvery"]: values });
}

function like(left: Operand, pattern: unknown, m: PrismaMapping): PrismaWhere {
  if (!isAttr(left)) throw new PlanTranslationError("`like` needs an attribute on its left");
  const f = field(left.attr, m);
  if (f.kind !== "scalar") throw new PlanTranslationError(`\`like\` on the set ${f.path}`);
  const parts = likeParts(pattern, f.path);
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
  if (parts.some((p) => p.includes("\\"))) {
    // Prisma escapes LIKE's % and _ in these filters but not the backslash, PostgreSQL's escape
    // character: `a\b*` would not match "a\b..." there.
    throw new PlanTranslationError(`the \`like\` pattern ${JSON.stringify(pattern)} has a backslash, which Prisma's filters do not escape`);
  }
  if (middle.length === 1) return nest(f.field, { contains: middle[0] });
  if (first === "" && last === "") return nest(f.field, { not: null });
  // `a*a` must not match "a": where the prefix and the suffix can overlap, startsWith and
  // endsWith together are wider than the pattern (a length check Prisma cannot say).
  if (first !== "" && last !== "" && canOverlap(first, last)) {
    throw new PlanTranslationError(`the \`like\` pattern ${JSON.stringify(pattern)} (an overlapping prefix and suffix) has no exact Prisma filter`);
  }
  const filter: Record<string, string> = {};
  if (first !== "") filter.startsWith = first;
  if (last !== "") filter.endsWith = last;
  return nest(f.field, filter);
}

/** Whether some string shorter than both together starts with `prefix` and ends with `suffix`. */
function canOverlap(prefix: string, suffix: string): boolean {
  for (let k = 1; k <= Math.min(prefix.length, suffix.length); k++) {
    if (prefix.endsWith(suffix.slice(0, k))) return true;
  }
  return false;
}

/** `{ a: { b: filter } }` for the dotted path `a.b`. */
function nest(path: string, filter: unknown): PrismaWhere {
  const names = path.split(".");
  if (names.some((n) => n === "")) throw new PlanTranslationError(`a malformed field path ${path}`);
  let out: unknown = filter;
  for (let i = names.length - 1; i >= 0; i--) out = { [names[i] as string]: out };
  return out as PrismaWhere;
}
