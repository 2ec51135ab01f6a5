import { test } from "node:test";
import assert from "node:assert/strict";
import { PlanTranslationError, planToPrismaWhere, type Expr, type Plan, type PrismaMapping } from "../src/index.js";

const mapping: PrismaMapping = {
  attributes: {
    "resource.owner": { field: "ownerId", entityType: "User" },
    "resource.title": "title",
    "resource.size": "size",
    "resource.public": "isPublic",
    "resource.folder.id": "folder.id",
    "resource.tags": { field: "tags", kind: "list" },
    "resource.editors": { field: "editors", kind: "relation", key: "userId", entityType: "User" },
    resource: { field: "id", entityType: "Document" },
  },
};

const conditional = (condition: Expr): Plan => ({ kind: "conditional", condition, unsupported: [], reasons: ["p"] });
const where = (condition: Expr, m: PrismaMapping = mapping) => planToPrismaWhere(conditional(condition), m);
const alice = { entity: { type: "User", id: "alice" } };

test("always_allowed matches every row, always_denied none", () => {
  assert.deepEqual(planToPrismaWhere({ kind: "always_allowed", condition: { op: "true" }, unsupported: [], reasons: [] }, mapping), { AND: [] });
  assert.deepEqual(planToPrismaWhere({ kind: "always_denied", condition: { op: "false" }, unsupported: [], reasons: [] }, mapping), { OR: [] });
});

test("comparisons, boolean structure, sets, has and entities", () => {
  assert.deepEqual(where({ op: "==", left: { attr: "resource.owner" }, right: alice }), { ownerId: { equals: "alice" } });
  assert.deepEqual(where({ op: "==", left: alice, right: { attr: "resource.owner" } }), { ownerId: { equals: "alice" } });
  assert.deepEqual(where({ op: "!=", left: { attr: "resource.title" }, right: { value: "x" } }), { title: { not: "x" } });
  assert.deepEqual(where({ op: "<", left: { value: 10 }, right: { attr: "resource.size" } }), { size: { gt: 10 } });
  assert.deepEqual(where({ op: "<=", left: { attr: "resource.size" }, right: { value: 10 } }), { size: { lte: 10 } });
  assert.deepEqual(where({ op: "==", left: { attr: "resource.folder.id" }, right: { value: "f1" } }), { folder: { id: { equals: "f1" } } });
  assert.deepEqual(
    where({
      op: "or",
      args: [
        { op: "==", left: { attr: "resource.public" }, right: { value: true } },
        { op: "and", args: [{ op: "has", attr: "resource.title" }, { op: "not", arg: { op: "in", left: { attr: "resource.title" }, right: { value: ["a", "b"] } } }] },
      ],
    }),
    { OR: [{ isPublic: { equals: true } }, { AND: [{ title: { not: null } }, { NOT: { title: { in: ["a", "b"] } } }] }] },
  );
  assert.deepEqual(where({ op: "contains", left: { attr: "resource.tags" }, right: { value: "red" } }), { tags: { has: "red" } });
  assert.deepEqual(where({ op: "in", left: { value: "red" }, right: { attr: "resource.tags" } }), { tags: { has: "red" } });
  assert.deepEqual(where({ op: "contains", left: { attr: "resource.editors" }, right: alice }), { editors: { some: { userId: "alice" } } });
  // Entities in a value set (the principal and its ancestors): those of the column's type, by id.
  assert.deepEqual(
    where({ op: "in", left: { attr: "resource.owner" }, right: { value: [alice.entity, { type: "Role", id: "eng" }, { type: "User", id: "bob" }] } }),
    { ownerId: { in: ["alice", "bob"] } },
  );
  assert.deepEqual(where({ op: "in", left: { attr: "resource.owner" }, right: { value: [{ type: "Role", id: "eng" }] } }), { ownerId: { in: [] } });
  // The resource itself, named by a policy (`resource == Document::"d1"`).
  assert.deepEqual(where({ op: "==", left: { attr: "resource" }, right: { entity: { type: "Document", id: "d1" } } }), { id: { equals: "d1" } });
  assert.deepEqual(where({ op: "true" }), { AND: [] });
  assert.deepEqual(where({ op: "false" }), { OR: [] });
});

test("like: exact patterns always, wildcards only with caseSensitiveLike", () => {
  const like = (pattern: string, m: PrismaMapping = { ...mapping, caseSensitiveLike: true }) =>
    where({ op: "like", left: { attr: "resource.title" }, pattern }, m);
  assert.deepEqual(like("a\\*b", mapping), { title: { equals: "a*b" } });
  assert.deepEqual(like("a\\\\b", mapping), { title: { equals: "a\\b" } });
  // Prisma escapes % and _ in startsWith/contains but not PostgreSQL's LIKE escape, the backslash.
  assert.throws(() => like("\\\\*"), PlanTranslationError);
  assert.deepEqual(like("Q*"), { title: { startsWith: "Q" } });
  assert.deepEqual(like("*.pdf"), { title: { endsWith: ".pdf" } });
  assert.deepEqual(like("*x*"), { title: { contains: "x" } });
  assert.deepEqual(like("a*z"), { title: { startsWith: "a", endsWith: "z" } });
  assert.deepEqual(like("*"), { title: { not: null } });
  assert.throws(() => like("Q*", mapping), PlanTranslationError);
  assert.throws(() => like("a*b*c"), PlanTranslationError);
  // A prefix and a suffix that can overlap: startsWith "ab" and endsWith "ba" would match "aba".
  assert.throws(() => like("ab*ba"), PlanTranslationError);
  assert.throws(() => like("a*a"), PlanTranslationError);
  assert.throws(() => like("*a*b*"), PlanTranslationError);
  assert.throws(() => like("a\\nb"), PlanTranslationError);
});

test("anything it cannot translate exactly throws PlanTranslationError, never a permissive where", () => {
  const refused: Array<[string, Plan]> = [
    ["unsupported residuals", { kind: "conditional", condition: null, unsupported: ["resource.x like ..."], reasons: [] }],
    ["a conditional plan without a condition", { kind: "conditional", condition: null, unsupported: [], reasons: [] }],
    ["an unknown kind", { kind: "sometimes", condition: { op: "true" }, unsupported: [], reasons: [] } as unknown as Plan],
    ["an unknown op", conditional({ op: "regex", left: { attr: "resource.title" } } as unknown as Expr)],
    [
      "an unknown op deep inside",
      conditional({ op: "or", args: [{ op: "true" }, { op: "not", arg: { op: "matches" } as unknown as Expr }] }),
    ],
    ["an unmapped attribute", conditional({ op: "==", left: { attr: "resource.secret" }, right: { value: 1 } })],
    ["attribute against attribute", conditional({ op: "==", left: { attr: "resource.title" }, right: { attr: "resource.owner" } })],
    ["an entity of another type", conditional({ op: "==", left: { attr: "resource.owner" }, right: { entity: { type: "Group", id: "g" } } })],
    ["a plain value for an entity attribute", conditional({ op: "==", left: { attr: "resource.owner" }, right: { value: "alice" } })],
    ["an entity for a plain attribute", conditional({ op: "==", left: { attr: "resource.title" }, right: alice })],
    ["an order on a string", conditional({ op: "<", left: { attr: "resource.title" }, right: { value: "m" } })],
    ["contains on a scalar", conditional({ op: "contains", left: { attr: "resource.title" }, right: { value: "x" } })],
    ["in without a set", conditional({ op: "in", left: { attr: "resource.title" }, right: { value: "x" } })],
    ["and without args", conditional({ op: "and" } as unknown as Expr)],
    ["an object value", conditional({ op: "==", left: { attr: "resource.title" }, right: { value: { x: 1 } } } as unknown as Expr)],
    ["a non-finite number", conditional({ op: "==", left: { attr: "resource.size" }, right: { value: Number.NaN } })],
    ["has on a relation (absent and empty look alike)", conditional({ op: "has", attr: "resource.editors" })],
    ["a prototype key", conditional({ op: "==", left: { attr: "constructor" }, right: { value: 1 } })],
  ];
  for (const [name, p] of refused) {
    assert.throws(() => planToPrismaWhere(p, mapping), PlanTranslationError, name);
  }
  let deep: Expr = { op: "true" };
  for (let i = 0; i < 100; i++) deep = { op: "not", arg: deep };
  assert.throws(() => where(deep), PlanTranslationError, "too deep");
  const err = (() => {
    try {
      planToPrismaWhere(refused[0]![1], mapping);
    } catch (e) {
      return e;
    }
  })();
  assert.ok(err instanceof PlanTranslationError);
  assert.deepEqual(err.unsupported, ["resource.x like ..."]);
});

test("numbers JavaScript cannot hold exactly are refused, never rounded", () => {
  // JSON.parse reads 9007199254740993 as 9007199254740992: `size > ...993` would select ...993.
  assert.throws(() => where({ op: ">", left: { attr: "resource.size" }, right: { value: 9007199254740993 } }), PlanTranslationError);
  assert.throws(() => where({ op: "==", left: { attr: "resource.size" }, right: { value: 2.5 } }), PlanTranslationError);
  assert.deepEqual(where({ op: ">", left: { attr: "resource.size" }, right: { value: 9007199254740991 } }), { size: { gt: 9007199254740991 } });
});
