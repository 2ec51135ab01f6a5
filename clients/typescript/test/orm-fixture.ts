// What the ORM adapters' tests (orm.test.ts) share: the test resource type `TestDoc` (its
// schema and policies, added to a copy of the shipped ones for a real warden), its rows as
// Cedar sees them, and an evaluator of the plan tree by hand, for plan shapes the engine of
// this checkout does not produce yet (relationship rules: `principal in resource.team`).

import type { Expr, Operand } from "../src/plan.js";

export interface Entity {
  type: string;
  id: string;
}

/** A `TestDoc` as Cedar sees it. */
export interface Doc {
  id: string;
  owner: Entity;
  title?: string;
  level: number;
  tags: string[];
  editors: Entity[];
  team?: Entity;
  meta: { level: number };
}

const user = (id: string): Entity => ({ type: "User", id });
const role = (id: string): Entity => ({ type: "Role", id });

/** Upper and lower case, LIKE's and GLOB's metacharacters, an absent title, empty sets. */
export const DOCS: Doc[] = [
  { id: "d1", owner: user("alice"), title: "Quarterly report", level: 1, tags: ["red"], editors: [user("bob")], team: role("eng"), meta: { level: 1 } },
  { id: "d2", owner: user("bob"), title: "quiet notes", level: 2, tags: ["blue"], editors: [user("alice")], meta: { level: 2 } },
  { id: "d3", owner: user("alice"), level: 3, tags: ["red", "blue"], editors: [], team: role("USER"), meta: { level: 3 } },
  { id: "d4", owner: user("bob"), title: "top secret plan", level: 4, tags: ["Red", "public"], editors: [user("alice"), user("bob")], team: role("ops"), meta: { level: 4 } },
  { id: "d5", owner: user("carol"), title: "Q", level: 5, tags: [], editors: [], team: role("eng"), meta: { level: 5 } },
  { id: "d6", owner: user("bob"), title: "100%_done\\ [x]*?", level: 9, tags: ["", "public"], editors: [user("carol")], team: role("ADMIN"), meta: { level: 9 } },
  { id: "d7", owner: user("alice"), title: "Secret santa", level: 0, tags: ["blue"], editors: [], meta: { level: 0 } },
  { id: "d8", owner: user("carol"), title: "SECRET", level: 3, tags: ["red"], editors: [user("alice")], team: role("eng"), meta: { level: 3 } },
];

/** Appended to the shipped schema in the test's copy. */
export const TEST_SCHEMA = `
entity TestDoc {
  owner: User,
  title?: String,
  level: Long,
  tags: Set<String>,
  editors: Set<User>,
  team?: Role,
  meta: { level: Long },
};

action tOwner, tTag, tAnyTag, tAllTags, tEditor, tLevel, tTitle, tNotSecret, tLevelIn, tResource, tMixed appliesTo {
  principal: User,
  resource: TestDoc,
  context: {},
};
`;

/** One policy per form the plans of this checkout's engine express. */
export const TEST_POLICIES = `
@id("t.owner") permit (principal, action == Action::"tOwner", resource) when { resource.owner == principal };
@id("t.tag") permit (principal, action == Action::"tTag", resource) when { resource.tags.contains("red") };
@id("t.any-tag") permit (principal, action == Action::"tAnyTag", resource) when { resource.tags.containsAny(["red", "blue"]) };
@id("t.all-tags") permit (principal, action == Action::"tAllTags", resource) when { resource.tags.containsAll(["red", "blue"]) };
@id("t.editor") permit (principal, action == Action::"tEditor", resource) when { resource.editors.contains(principal) };
@id("t.level") permit (principal, action == Action::"tLevel", resource) when { resource.level >= 2 && resource.level < 5 };
@id("t.title") permit (principal, action == Action::"tTitle", resource) when { resource has title && resource.title like "Q*" };
@id("t.not-secret") permit (principal, action == Action::"tNotSecret", resource);
@id("t.no-secret") forbid (principal, action == Action::"tNotSecret", resource) when { resource has title && resource.title like "*secret*" };
@id("t.level-in") permit (principal, action == Action::"tLevelIn", resource) when { [1, 3].contains(resource.level) };
@id("t.resource") permit (principal, action == Action::"tResource", resource) when { resource == TestDoc::"d1" };
@id("t.mixed") permit (principal, action == Action::"tMixed", resource)
  when { (resource.owner == principal || resource.tags.contains("public")) && !(resource.level > 8) };
`;

export const ACTIONS = ["tOwner", "tTag", "tAnyTag", "tAllTags", "tEditor", "tLevel", "tTitle", "tNotSecret", "tLevelIn", "tResource", "tMixed"];

/** The resource as `/v1/authorize` takes it (entities as `__entity`). */
export function asResource(d: Doc): { type: string; id: string; properties: Record<string, unknown> } {
  const ent = (e: Entity) => ({ __entity: e });
  const properties: Record<string, unknown> = {
    owner: ent(d.owner),
    level: d.level,
    tags: d.tags,
    editors: d.editors.map(ent),
    meta: { level: d.meta.level },
  };
  if (d.title !== undefined) properties.title = d.title;
  if (d.team !== undefined) properties.team = ent(d.team);
  return { type: "TestDoc", id: d.id, properties };
}

// ---- the plan evaluated by hand, with Cedar's error semantics ----

class CedarError extends Error {}

type Value = string | number | boolean | Entity | Value[] | { [k: string]: Value };

function isEntity(v: unknown): v is Entity {
  return typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as Entity).type === "string" && typeof (v as Entity).id === "string" && Object.keys(v).length === 2;
}

function same(a: Value, b: Value): boolean {
  if (isEntity(a) && isEntity(b)) return a.type === b.type && a.id === b.id;
  return a === b;
}

function attrOf(doc: Doc, path: string): Value {
  const [head, ...rest] = path.split(".");
  if (head !== "resource") throw new Error(`not a resource path: ${path}`);
  let v: unknown = rest.length === 0 ? { type: "TestDoc", id: doc.id } : doc;
  for (const name of rest) {
    if (typeof v !== "object" || v === null || !(name in v)) throw new CedarError(`no ${path}`);
    v = (v as Record<string, unknown>)[name];
  }
  return v as Value;
}

function operand(o: Operand, doc: Doc): Value {
  if ("attr" in o) return attrOf(doc, o.attr);
  if ("entity" in o) return o.entity;
  return o.value as Value;
}

function likeMatches(s: string, pattern: string): boolean {
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === "\\") {
      re += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    } else if (c === "*") re += "[\\s\\S]*";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`, "u").test(s);
}

function evaluate(e: Expr, doc: Doc): boolean {
  switch (e.op) {
    case "true":
      return true;
    case "false":
      return false;
    case "and":
      return e.args.every((a) => evaluate(a, doc));
    case "or":
      return e.args.some((a) => evaluate(a, doc));
    case "not":
      return !evaluate(e.arg, doc);
    case "has":
      try {
        attrOf(doc, e.attr);
        return true;
      } catch (err) {
        if (err instanceof CedarError) return false;
        throw err;
      }
    case "==":
    case "!=": {
      const eq = same(operand(e.left, doc), operand(e.right, doc));
      return e.op === "==" ? eq : !eq;
    }
    case "<":
    case "<=":
    case ">":
    case ">=": {
      const l = operand(e.left, doc);
      const r = operand(e.right, doc);
      if (typeof l !== "number" || typeof r !== "number") throw new CedarError("not a number");
      return e.op === "<" ? l < r : e.op === "<=" ? l <= r : e.op === ">" ? l > r : l >= r;
    }
    case "in": {
      const set = operand(e.right, doc);
      if (!Array.isArray(set)) throw new CedarError("not a set");
      const v = operand(e.left, doc);
      return set.some((x) => same(x, v));
    }
    case "contains": {
      const set = operand(e.left, doc);
      if (!Array.isArray(set)) throw new CedarError("not a set");
      const v = operand(e.right, doc);
      return set.some((x) => same(x, v));
    }
    case "like": {
      const s = operand(e.left, doc);
      if (typeof s !== "string") throw new CedarError("not a string");
      return likeMatches(s, e.pattern);
    }
  }
}

/** The ids of the rows the condition allows (an evaluation error denies the row). */
export function allowedByHand(condition: Expr, docs: Doc[] = DOCS): string[] {
  return docs
    .filter((d) => {
      try {
        return evaluate(condition, d);
      } catch (err) {
        if (err instanceof CedarError) return false;
        throw err;
      }
    })
    .map((d) => d.id);
}

/** Plans of the shapes the engine work of issue 28 produces, for alice (roles USER, eng). */
export const alice = { type: "User", id: "alice" };
const aliceAndAncestors = { value: [alice, { type: "Role", id: "eng" }, { type: "Role", id: "USER" }] };
export const HAND_PLANS: Array<[string, Expr]> = [
  ["principal in resource.team", { op: "and", args: [{ op: "has", attr: "resource.team" }, { op: "in", left: { attr: "resource.team" }, right: aliceAndAncestors }] }],
  ["resource in [entities]", { op: "in", left: { attr: "resource" }, right: { value: [{ type: "TestDoc", id: "d1" }, { type: "TestDoc", id: "d4" }, alice] } }],
  ["a record path", { op: ">=", left: { attr: "resource.meta.level" }, right: { value: 3 } }],
  [
    "owner or team",
    {
      op: "or",
      args: [
        { op: "==", left: { attr: "resource.owner" }, right: { entity: alice } },
        { op: "and", args: [{ op: "has", attr: "resource.team" }, { op: "in", left: { attr: "resource.team" }, right: aliceAndAncestors }] },
      ],
    },
  ],
  [
    "a forbid on a team",
    { op: "not", arg: { op: "and", args: [{ op: "has", attr: "resource.team" }, { op: "in", left: { attr: "resource.team" }, right: { value: [{ type: "Role", id: "ops" }] } }] } },
  ],
  ["a team among no entity of its type", { op: "in", left: { attr: "resource.team" }, right: { value: [alice] } }],
  ["containsAny as an or", { op: "or", args: [{ op: "contains", left: { attr: "resource.tags" }, right: { value: "red" } }, { op: "contains", left: { attr: "resource.tags" }, right: { value: "public" } }] }],
  ["containsAll as an and", { op: "and", args: [{ op: "contains", left: { attr: "resource.tags" }, right: { value: "red" } }, { op: "contains", left: { attr: "resource.tags" }, right: { value: "blue" } }] }],
  ["an editor entity", { op: "in", left: { entity: alice }, right: { attr: "resource.editors" } }],
  ["LIKE metacharacters literally", { op: "like", left: { attr: "resource.title" }, pattern: "100%_done\\\\ [x]\\**" }],
  ["LIKE's % and _ literally", { op: "like", left: { attr: "resource.title" }, pattern: "100%_d*" }],
  ["an empty and: every row", { op: "and", args: [] }],
  ["an empty or: no row", { op: "or", args: [] }],
  ["a case-sensitive like", { op: "like", left: { attr: "resource.title" }, pattern: "*secret*" }],
];
