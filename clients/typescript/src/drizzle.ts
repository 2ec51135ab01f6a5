// A query plan as a Drizzle `SQL` condition, built with drizzle-orm's own operators, for
// `db.select().from(documents).where(planToDrizzle(plan, mapping))`. Exact or nothing, like
// the Prisma adapter: an op this code does not know, an attribute the mapping does not name, a
// plan with unsupported residuals, a comparison it cannot express exactly: all throw
// `PlanTranslationError`. Values are always bound parameters (drizzle's operators bind them);
// identifiers are the mapping's own Drizzle columns and tables, never text from the plan.
//
// Imported as `@warden/next/drizzle`, so an app without Drizzle never loads drizzle-orm (an
// optional peer dependency).

import {
  Column,
  Table,
  and,
  arrayContains,
  eq,
  exists,
  gt,
  gte,
  inArray,
  is,
  isNotNull,
  like,
  lt,
  lte,
  ne,
  not,
  or,
  sql,
  type SQL,
} from "drizzle-orm";
import { PlanTranslationError } from "./errors.js";
import type { Expr, Operand, Plan } from "./plan.js";
import { args, attrFirst, columnItems, columnValue, isAttr, likeParts, literal, lookup, node, planCondition, type Scalar } from "./plan-read.js";

/** The SQL dialect the condition is for: it decides how `like` is written. */
export type DrizzleDialect = "postgres" | "sqlite";

/** How one Cedar attribute of the resource is stored. */
export type DrizzleField =
  /** A column holding the value itself. */
  | Column
  | {
      column: Column;
      /** When the attribute is an entity (`resource.owner == User::"alice"`): its type. The
       * column holds the entity's id. */
      entityType?: string;
    }
  | {
      /** A PostgreSQL array column (`text[]`) holding a set: `contains` is `@>`. NULL is an
       * absent set, `{}` an empty one. */
      array: Column;
      entityType?: string;
    }
  | {
      /** A join table holding a set, one row per item: `contains` is an `exists` subquery. */
      join: Table;
      /** The join table's column naming the row (`document_editors.document_id`). */
      parent: Column;
      /** The row's own column it refers to (`documents.id`). */
      rowId: Column;
      /** The join table's column holding the item (`document_editors.user_id`). */
      value: Column;
      entityType?: string;
    };

export interface DrizzleMapping {
  dialect: DrizzleDialect;
  /** Cedar attribute path (`resource.owner`, `resource.meta.level`) to its column. `resource`
   * itself is the resource (`resource in [Document::"d1"]`): map it to the id column with its
   * `entityType`. */
  attributes: Record<string, DrizzleField>;
}

/**
 * The condition selecting exactly the rows `plan` allows: `sql\`true\`` for an always-allowed
 * plan, `sql\`false\`` for an always-denied one. Throws `PlanTranslationError` for anything it
 * cannot translate exactly; never returns a wider condition.
 */
export function planToDrizzle(plan: Plan, mapping: DrizzleMapping): SQL {
  if (mapping.dialect !== "postgres" && mapping.dialect !== "sqlite") {
    throw new PlanTranslationError(`an unknown dialect ${JSON.stringify(mapping.dialect)}`);
  }
  const condition = planCondition(plan);
  if (condition === "all") return TRUE();
  if (condition === "none") return FALSE();
  return translate(condition, mapping, 0);
}

const TRUE = (): SQL => sql`true`;
const FALSE = (): SQL => sql`false`;

/** Parenthesised, so that `not` and the callers' own `and` never bind into it. */
const group = (s: SQL): SQL => sql`(${s})`;

function translate(e: Expr, m: DrizzleMapping, depth: number): SQL {
  const n = node(e, depth);
  switch (n.op) {
    case "true":
      return TRUE();
    case "false":
      return FALSE();
    case "and":
    case "or": {
      const parts = args(n).map((a) => translate(a, m, depth + 1));
      // An empty `and` is true and an empty `or` false (drizzle's and()/or() of nothing is
      // undefined: "no condition", which a caller would read as every row).
      if (parts.length === 0) return n.op === "and" ? TRUE() : FALSE();
      const joined = n.op === "and" ? and(...parts) : or(...parts);
      if (joined === undefined) throw new PlanTranslationError(`an empty \`${n.op}\``);
      return group(joined);
    }
    case "not":
      return group(not(group(translate(n.arg as Expr, m, depth + 1))));
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
      if (!isAttr(n.left)) throw new PlanTranslationError("`contains` needs an attribute on its left");
      const f = field(n.left.attr, m);
      return setHas(f, checked(columnValue(literal(n.right as Operand), f)), m);
    }
    case "has": {
      if (typeof n.attr !== "string") throw new PlanTranslationError("`has` without attr");
      const f = field(n.attr, m);
      if (f.kind === "join") {
        // A join table cannot tell an absent set from an empty one, and `has` is true for an
        // empty set: refuse rather than guess.
        throw new PlanTranslationError(`\`has\` on ${n.attr}: a join table cannot tell an absent set from an empty one`);
      }
      return isNotNull(f.column);
    }
    case "like":
      return likeOf(n.left as Operand, n.pattern, m);
    default:
      // Fail closed on ops added to the format after this client was written.
      throw new PlanTranslationError(`unknown op ${JSON.stringify(n.op)}`);
  }
}

type Field =
  | { kind: "scalar"; path: string; column: Column; entityType?: string | undefined }
  | { kind: "array"; path: string; column: Column; entityType?: string | undefined }
  | { kind: "join"; path: string; join: Table; parent: Column; rowId: Column; value: Column; entityType?: string | undefined };

function field(path: string, m: DrizzleMapping): Field {
  const found: unknown = lookup(m.attributes, path);
  if (is(found, Column)) return { kind: "scalar", path, column: found };
  if (typeof found !== "object" || found === null) throw new PlanTranslationError(`a malformed mapping for ${path}`);
  const f = found as Record<string, unknown>;
  const entityType = typeof f.entityType === "string" ? f.entityType : undefined;
  if (is(f.column, Column)) return { kind: "scalar", path, column: f.column, entityType };
  if (is(f.array, Column)) {
    if (m.dialect !== "postgres") {
      // SQLite has no arrays; a set there is a join table (its JSON functions stop at an
      // embedded NUL, so a JSON column would not compare as Cedar does).
      throw new PlanTranslationError(`${path}: array columns are PostgreSQL's; on SQLite map a set to a join table`);
    }
    return { kind: "array", path, column: f.array, entityType };
  }
  if (is(f.join, Table) && is(f.parent, Column) && is(f.rowId, Column) && is(f.value, Column)) {
    return { kind: "join", path, join: f.join, parent: f.parent, rowId: f.rowId, value: f.value, entityType };
  }
  throw new PlanTranslationError(`a malformed mapping for ${path}`);
}

/**
 * A string with a NUL is refused: PostgreSQL's text cannot hold one, and SQLite drivers (sql.js
 * among them) bind a string up to its first NUL, which would compare a shorter, different value.
 */
function checked(v: Scalar): Scalar {
  if (typeof v === "string" && v.includes("\u0000")) throw new PlanTranslationError("a value with a NUL character");
  return v;
}

function compare(op: string, left: Operand, right: Operand, m: DrizzleMapping): SQL {
  const c = attrFirst(op, left, right);
  const f = field(c.attr, m);
  if (f.kind !== "scalar") throw new PlanTranslationError(`\`${op}\` on the set ${f.path}`);
  const v = checked(columnValue(literal(c.other), f));
  // NULL (an absent attribute) compares as neither true nor false, and stays so under NOT:
  // Cedar's error on an absent attribute is a deny, and so is SQL's NULL.
  if (c.op === "==") return eq(f.column, v);
  if (c.op === "!=") return ne(f.column, v);
  if (typeof v !== "number") throw new PlanTranslationError(`\`${op}\` on a non-number (${f.path})`);
  switch (c.op) {
    case "<":
      return lt(f.column, v);
    case "<=":
      return lte(f.column, v);
    case ">":
      return gt(f.column, v);
    default:
      return gte(f.column, v);
  }
}

function membership(left: Operand, right: Operand, m: DrizzleMapping): SQL {
  if (isAttr(left)) {
    // An attribute among a set of values: `resource.team in [User::"alice", Role::"eng"]` (the
    // principal and its ancestors; entities of other types than the column's are dropped) or
    // `resource in [Document::"d1", ...]`.
    const f = field(left.attr, m);
    if (f.kind !== "scalar") throw new PlanTranslationError(`\`in\` with the set ${f.path} on its left`);
    const items = columnItems(literal(right), f).map(checked);
    return items.length === 0 ? FALSE() : inArray(f.column, items);
  }
  if (!isAttr(right)) throw new PlanTranslationError("`in` needs an attribute on one side");
  const f = field(right.attr, m);
  return setHas(f, checked(columnValue(literal(left), f)), m);
}

function setHas(f: Field, v: Scalar, m: DrizzleMapping): SQL {
  switch (f.kind) {
    case "array":
      return arrayContains(f.column, [v]);
    case "join":
      // The join table's rows for this row, one of which holds the value. Correlated through
      // the mapping's columns; the value is a bound parameter.
      return exists(sql`(select 1 from ${f.join} where ${and(eq(f.parent, f.rowId), eq(f.value, v))})`);
    default:
      throw new PlanTranslationError(`\`contains\` on ${f.path}, which the mapping does not call a set (${m.dialect})`);
  }
}

function likeOf(left: Operand, pattern: unknown, m: DrizzleMapping): SQL {
  if (!isAttr(left)) throw new PlanTranslationError("`like` needs an attribute on its left");
  const f = field(left.attr, m);
  if (f.kind !== "scalar") throw new PlanTranslationError(`\`like\` on the set ${f.path}`);
  const parts = likeParts(pattern, f.path).map((p) => checked(p) as string);
  if (m.dialect === "postgres") {
    // LIKE is case-sensitive on PostgreSQL, as Cedar's is. Its metacharacters in the literal
    // parts are escaped with the default escape character, the backslash.
    const escaped = parts.map((p) => p.replace(/[\\%_]/g, (c) => `\\${c}`)).join("%");
    return like(f.column, escaped);
  }
  return sqliteLike(f.column, parts);
}

/** Runs between stars a SQLite `like` matches at most (the recursive query's length). */
const MAX_LIKE_RUNS = 1000;

const bytes = (s: string) => new TextEncoder().encode(s).length;
const int = (n: number) => sql.raw(String(n));

/**
 * SQLite: Cedar's `like` on the text's bytes, as warden's own translator writes it
 * (src/plan/sql/like.rs, `sqlite_like`).
 *
 * Security: SQLite's GLOB and LIKE read text as C strings and stop at the first NUL, so a
 * title "a\0secret" would escape `forbid ... when { resource.title like "*secret*" }`, and its
 * LIKE ignores ASCII case where Cedar's does not. So the column is matched as a blob (its
 * UTF-8 bytes, NUL included): the pattern's literal runs are a prefix, a suffix, and the
 * middle runs found in order with `instr` (leftmost first, which finds a match whenever
 * there is one) by one recursive query. UTF-8 is self-synchronising, so byte matches of whole
 * strings fall on character boundaries. No metacharacter reaches a matcher. The runs are
 * bound parameters (a run holding a NUL was refused before: drivers bind up to the NUL).
 */
function sqliteLike(column: Column, parts: string[]): SQL {
  if (parts.length === 1) {
    // No star: equality, which SQLite compares byte for byte over the whole length.
    return sql`(${column} = ${parts[0]})`;
  }
  const head = parts[0] as string;
  const tail = parts[parts.length - 1] as string;
  const middle = parts.slice(1, -1).filter((p) => p !== "");
  if (middle.length > MAX_LIKE_RUNS) {
    throw new PlanTranslationError(`a \`like\` pattern with more than ${MAX_LIKE_RUNS} runs between its stars`);
  }
  const blob = sql`cast(${column} as blob)`;
  const total = bytes(head) + bytes(tail) + middle.reduce((n, r) => n + bytes(r), 0);
  const conds: SQL[] = [sql`length(${blob}) >= ${int(total)}`];
  if (head !== "") conds.push(sql`substr(${blob}, 1, ${int(bytes(head))}) = cast(${head} as blob)`);
  if (tail !== "") conds.push(sql`substr(${blob}, length(${blob}) - ${int(bytes(tail) - 1)}) = cast(${tail} as blob)`);
  if (middle.length > 0) {
    // The 1-based position after the runs found so far (row k: after run k), NULL once a run
    // is missing; a recursive query is never flattened into its caller.
    const runs = sql.join(middle.map((r, k) => sql` when ${int(k)} then cast(${r} as blob)`));
    const lengths = sql.join(middle.map((r, k) => sql` when ${int(k)} then ${int(bytes(r))}`));
    const n = int(middle.length);
    const position = sql`with recursive m(k, p) as (select 0, ${int(bytes(head) + 1)} union all select k + 1, p + nullif(instr(substr(${blob}, p), case k${runs} end), 0) - 1 + case k${lengths} end from m where k < ${n} and p is not null) select p from m where k = ${n}`;
    // A run not found is a plain "no match" (false), not SQL's unknown, or NOT would not
    // select the row either.
    conds.push(sql`coalesce((${position}) - 1 <= length(${blob}) - ${int(bytes(tail))}, 0)`);
  }
  // An absent attribute (NULL) stays NULL, as for every other op: Cedar errors on it.
  return sql`(case when ${column} is null then null else (${sql.join(conds, sql` and `)}) end)`;
}
