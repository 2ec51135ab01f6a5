// The ORM adapters against real databases: a generated Prisma 7 client (its WebAssembly query
// compiler, PGlite's driver adapter) and Drizzle on PGlite (real PostgreSQL in WebAssembly)
// and on sql.js (real SQLite in WebAssembly). For every plan a real warden makes over the test
// resource type, the rows each adapter's query returns are exactly the rows warden allows when
// asked about each row; for hand-written plans of every shape (relationship rules,
// `resource in [..]`, record paths), exactly the rows the plan allows evaluated by hand.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createRequire } from "node:module";
import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { asc } from "drizzle-orm";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzleSqlJs } from "drizzle-orm/sql-js";
import * as pg from "drizzle-orm/pg-core";
import * as lite from "drizzle-orm/sqlite-core";
import initSqlJs from "sql.js";
import { PrismaClient, type Prisma } from "./prisma-db/generated/client.js";
import { WardenClient, authorizeMany, plan, PlanTranslationError, type Expr, type Plan } from "../src/index.js";
import { planToPrismaWhere, type PrismaMapping } from "../src/prisma.js";
import { planToDrizzle, type DrizzleMapping } from "../src/drizzle.js";
import { ACTIONS, DOCS, HAND_PLANS, TEST_POLICIES, TEST_SCHEMA, allowedByHand, asResource } from "./orm-fixture.js";
import { startWarden, type RunningWarden } from "./warden-server.js";

// ---- the tables, as Prisma (test/prisma-db/schema.prisma) and Drizzle describe them ----

const DDL = `
CREATE TABLE documents (
  id text PRIMARY KEY, owner_id text NOT NULL, team_id text, title text, level integer NOT NULL,
  tags text[] NOT NULL, meta_level integer NOT NULL
);
CREATE TABLE document_editors (
  document_id text NOT NULL REFERENCES documents(id), user_id text NOT NULL, PRIMARY KEY (document_id, user_id)
);
CREATE TABLE document_meta (document_id text PRIMARY KEY REFERENCES documents(id), level integer NOT NULL);
`;

const pgDocuments = pg.pgTable("documents", {
  id: pg.text("id").primaryKey(),
  ownerId: pg.text("owner_id").notNull(),
  teamId: pg.text("team_id"),
  title: pg.text("title"),
  level: pg.integer("level").notNull(),
  tags: pg.text("tags").array().notNull(),
  metaLevel: pg.integer("meta_level").notNull(),
});
const pgEditors = pg.pgTable("document_editors", {
  documentId: pg.text("document_id").notNull(),
  userId: pg.text("user_id").notNull(),
});

const liteDocuments = lite.sqliteTable("documents", {
  id: lite.text("id").primaryKey(),
  ownerId: lite.text("owner_id").notNull(),
  teamId: lite.text("team_id"),
  title: lite.text("title"),
  level: lite.integer("level").notNull(),
  metaLevel: lite.integer("meta_level").notNull(),
});
const liteEditors = lite.sqliteTable("document_editors", { documentId: lite.text("document_id").notNull(), userId: lite.text("user_id").notNull() });
const liteTags = lite.sqliteTable("document_tags", { documentId: lite.text("document_id").notNull(), tag: lite.text("tag").notNull() });

// ---- the mappings: Cedar attribute -> column ----

/** Checked against the generated `DocumentWhereInput` by tsc. */
const PRISMA_MAPPING: PrismaMapping<Prisma.DocumentWhereInput> = {
  attributes: {
    resource: { field: "id", entityType: "TestDoc" },
    "resource.owner": { field: "ownerId", entityType: "User" },
    "resource.team": { field: "teamId", entityType: "Role" },
    "resource.title": "title",
    "resource.level": "level",
    "resource.tags": { field: "tags", kind: "list" },
    "resource.editors": { field: "editors", kind: "relation", key: "userId", entityType: "User" },
    "resource.meta.level": "meta.level",
  },
  // PostgreSQL: Prisma's startsWith/contains are LIKE, case-sensitive.
  caseSensitiveLike: true,
};

// What tsc refuses: each line would not compile without its @ts-expect-error.
export const refusedByTsc: Array<PrismaMapping<Prisma.DocumentWhereInput>> = [
  // @ts-expect-error: no such field
  { attributes: { "resource.owner": "ownerID" } },
  // @ts-expect-error: a scalar is not a list
  { attributes: { "resource.title": { field: "title", kind: "list" } } },
  // @ts-expect-error: a list is not a relation
  { attributes: { "resource.tags": { field: "tags", kind: "relation" } } },
  // @ts-expect-error: the related model has no such field
  { attributes: { "resource.editors": { field: "editors", kind: "relation", key: "user" } } },
  // @ts-expect-error: no such field behind the to-one relation
  { attributes: { "resource.meta.level": "meta.lvl" } },
];

const pgMapping: DrizzleMapping = {
  dialect: "postgres",
  attributes: {
    resource: { column: pgDocuments.id, entityType: "TestDoc" },
    "resource.owner": { column: pgDocuments.ownerId, entityType: "User" },
    "resource.team": { column: pgDocuments.teamId, entityType: "Role" },
    "resource.title": pgDocuments.title,
    "resource.level": pgDocuments.level,
    "resource.tags": { array: pgDocuments.tags },
    "resource.editors": { join: pgEditors, parent: pgEditors.documentId, rowId: pgDocuments.id, value: pgEditors.userId, entityType: "User" },
    "resource.meta.level": pgDocuments.metaLevel,
  },
};

const liteMapping: DrizzleMapping = {
  dialect: "sqlite",
  attributes: {
    resource: { column: liteDocuments.id, entityType: "TestDoc" },
    "resource.owner": { column: liteDocuments.ownerId, entityType: "User" },
    "resource.team": { column: liteDocuments.teamId, entityType: "Role" },
    "resource.title": liteDocuments.title,
    "resource.level": liteDocuments.level,
    "resource.tags": { join: liteTags, parent: liteTags.documentId, rowId: liteDocuments.id, value: liteTags.tag },
    "resource.editors": { join: liteEditors, parent: liteEditors.documentId, rowId: liteDocuments.id, value: liteEditors.userId, entityType: "User" },
    "resource.meta.level": liteDocuments.metaLevel,
  },
};

// ---- the databases and warden ----

let warden: RunningWarden;
let client: WardenClient;
let pglite: PGlite;
let prisma: InstanceType<typeof PrismaClient>;
let pgDb: ReturnType<typeof drizzlePglite>;
let liteDb: ReturnType<typeof drizzleSqlJs>;
let sqlite: { run(sql: string, params?: Array<string | number | null>): unknown };
const sessions: Record<string, { accessToken: string }> = {};

before(async () => {
  warden = await startWarden((policies) => {
    appendFileSync(join(policies, "schema.cedarschema"), TEST_SCHEMA);
    writeFileSync(join(policies, "orm-test.cedar"), TEST_POLICIES);
  });
  client = new WardenClient({ url: warden.url });
  for (const name of ["alice", "bob"]) {
    warden.cli(["user", "add", "--id", name, "--email", `${name}@example.com`, "--role", "USER", "--password-stdin"], `${name}-password-123\n`);
    const signedIn = await client.login(`${name}@example.com`, `${name}-password-123`);
    sessions[name] = { accessToken: signedIn.access_token };
  }

  pglite = new PGlite();
  await pglite.exec(DDL);
  for (const d of DOCS) {
    await pglite.query("INSERT INTO documents VALUES ($1, $2, $3, $4, $5, $6, $7)", [d.id, d.owner.id, d.team?.id ?? null, d.title ?? null, d.level, d.tags, d.meta.level]);
    await pglite.query("INSERT INTO document_meta VALUES ($1, $2)", [d.id, d.meta.level]);
    for (const e of d.editors) await pglite.query("INSERT INTO document_editors VALUES ($1, $2)", [d.id, e.id]);
  }
  prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  pgDb = drizzlePglite(pglite);

  const require = createRequire(import.meta.url);
  const SQL = await initSqlJs({ locateFile: (f: string) => require.resolve(`sql.js/dist/${f}`) });
  const database = new SQL.Database();
  sqlite = database;
  sqlite.run(`
    CREATE TABLE documents (id text PRIMARY KEY, owner_id text NOT NULL, team_id text, title text, level integer NOT NULL, meta_level integer NOT NULL);
    CREATE TABLE document_editors (document_id text NOT NULL, user_id text NOT NULL);
    CREATE TABLE document_tags (document_id text NOT NULL, tag text NOT NULL);`);
  for (const d of DOCS) {
    sqlite.run("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)", [d.id, d.owner.id, d.team?.id ?? null, d.title ?? null, d.level, d.meta.level]);
    for (const e of d.editors) sqlite.run("INSERT INTO document_editors VALUES (?, ?)", [d.id, e.id]);
    for (const t of d.tags) sqlite.run("INSERT INTO document_tags VALUES (?, ?)", [d.id, t]);
  }
  liteDb = drizzleSqlJs(database);
});

after(async () => {
  await prisma?.$disconnect();
  await pglite?.close();
  warden?.stop();
});

/** What a translation refused (`PlanTranslationError`): fewer rows, never more. */
const REFUSED = "refused";

async function orRefused(query: () => Promise<Array<{ id: string }>>): Promise<string[] | typeof REFUSED> {
  try {
    return (await query()).map((r) => r.id);
  } catch (e) {
    if (e instanceof PlanTranslationError) return REFUSED;
    throw e;
  }
}

/** The ids each adapter's query returns for `p` (or that it refused), by database. */
async function rowsOf(p: Plan): Promise<Record<string, string[] | typeof REFUSED>> {
  return {
    prisma: await orRefused(() => {
      const where: Prisma.DocumentWhereInput = planToPrismaWhere(p, PRISMA_MAPPING);
      return prisma.document.findMany({ where, select: { id: true }, orderBy: { id: "asc" } });
    }),
    "drizzle-pglite": await orRefused(() =>
      pgDb.select({ id: pgDocuments.id }).from(pgDocuments).where(planToDrizzle(p, pgMapping)).orderBy(asc(pgDocuments.id)),
    ),
    "drizzle-sqljs": await orRefused(() =>
      liteDb.select({ id: liteDocuments.id }).from(liteDocuments).where(planToDrizzle(p, liteMapping)).orderBy(asc(liteDocuments.id)),
    ),
  };
}

const conditional = (condition: Expr): Plan => ({ kind: "conditional", condition, unsupported: [], reasons: ["hand"] });

test("every plan warden makes selects exactly the rows warden allows one by one, in Prisma and Drizzle", async () => {
  let nonTrivial = 0;
  for (const [name, session] of Object.entries(sessions)) {
    for (const action of ACTIONS) {
      const p = await plan(session, action, "TestDoc", undefined, { client });
      assert.deepEqual(p.unsupported, [], `${name} ${action}: ${JSON.stringify(p)}`);
      const decisions = await authorizeMany(session, DOCS.map((d) => ({ action, resource: asResource(d) })), { client });
      assert.ok(decisions.every((d) => d.errors.length === 0 && !d.unauthenticated), `${name} ${action}: ${JSON.stringify(decisions)}`);
      const allowed = DOCS.filter((_, i) => decisions[i]?.allowed).map((d) => d.id);
      if (allowed.length > 0 && allowed.length < DOCS.length) nonTrivial++;
      if (p.condition) assert.deepEqual(allowedByHand(p.condition), allowed, `the hand evaluator agrees (${name} ${action})`);
      const got = await rowsOf(p);
      for (const [db, ids] of Object.entries(got)) {
        assert.deepEqual(ids, allowed, `${db}: ${name} ${action} with ${JSON.stringify(p.condition)}`);
      }
    }
  }
  assert.ok(nonTrivial >= 15, `${nonTrivial} plans select some rows but not all`);
});

test("hand-written plans of every shape (relationship rules, resource in [..], record paths) select the rows they allow", async () => {
  // Prisma's startsWith/endsWith/contains escape % and _ but not the backslash, PostgreSQL's
  // LIKE escape: a pattern with a literal backslash is refused there.
  const refusals: Record<string, string[]> = { "LIKE metacharacters literally": ["prisma"] };
  for (const [name, condition] of HAND_PLANS) {
    const expected = allowedByHand(condition);
    const got = await rowsOf(conditional(condition));
    for (const [db, ids] of Object.entries(got)) {
      assert.deepEqual(ids, refusals[name]?.includes(db) ? REFUSED : expected, `${db}: ${name}`);
    }
  }
  // The relationship rule for alice (USER, eng): her team's documents and USER's.
  assert.deepEqual(allowedByHand(HAND_PLANS[0]![1]), ["d1", "d3", "d5", "d8"]);
});

test("the Prisma filters of the new shapes, and set filters", () => {
  const w = (c: Expr) => planToPrismaWhere(conditional(c), PRISMA_MAPPING);
  const byName = Object.fromEntries(HAND_PLANS);
  assert.deepEqual(w(byName["principal in resource.team"]!), { AND: [{ teamId: { not: null } }, { teamId: { in: ["eng", "USER"] } }] });
  assert.deepEqual(w(byName["resource in [entities]"]!), { id: { in: ["d1", "d4"] } });
  assert.deepEqual(w(byName["a record path"]!), { meta: { level: { gte: 3 } } });
  assert.deepEqual(w(byName["containsAny as an or"]!), { tags: { hasSome: ["red", "public"] } });
  assert.deepEqual(w(byName["containsAll as an and"]!), { tags: { hasEvery: ["red", "blue"] } });
  assert.deepEqual(w(byName["an editor entity"]!), { editors: { some: { userId: "alice" } } });
});

test("SQLite: like compares bytes as Cedar does (case, metacharacters, a NUL inside the text)", async () => {
  // A title with a NUL inside: GLOB and LIKE would stop at it. Inserted as a blob cast to text.
  sqlite.run("INSERT INTO documents VALUES ('n1', 'alice', NULL, CAST(X'61007365637265742E' AS TEXT), 1, 1)");
  try {
    const ids = async (c: Expr) =>
      (await liteDb.select({ id: liteDocuments.id }).from(liteDocuments).where(planToDrizzle(conditional(c), liteMapping)).orderBy(asc(liteDocuments.id))).map((r) => r.id);
    const secret: Expr = { op: "like", left: { attr: "resource.title" }, pattern: "*secret*" };
    // Cedar matches n1's whole title, NUL included: "a\0secret." is like "*secret*".
    assert.deepEqual(await ids(secret), ["d4", "n1"]);
    // The forbid's shape: Cedar denies n1 (its title has "secret" after the NUL); so does SQL.
    assert.ok(!(await ids({ op: "not", arg: secret })).includes("n1"));
    assert.ok((await ids({ op: "like", left: { attr: "resource.title" }, pattern: "a*t." })).includes("n1"));
    assert.ok(!(await ids({ op: "like", left: { attr: "resource.title" }, pattern: "A*" })).includes("n1"));
    assert.ok(!(await ids({ op: "like", left: { attr: "resource.title" }, pattern: "a*secret*secret*" })).includes("n1"));
    assert.deepEqual(await ids({ op: "like", left: { attr: "resource.title" }, pattern: "*[x]\\**" }), ["d6"]);
    assert.deepEqual(await ids({ op: "like", left: { attr: "resource.title" }, pattern: "q*" }), ["d2"]);
  } finally {
    sqlite.run("DELETE FROM documents WHERE id = 'n1'");
  }
});

test("Drizzle refuses what it cannot say exactly", () => {
  const refused: Array<[string, Plan, DrizzleMapping?]> = [
    ["unsupported residuals", { kind: "conditional", condition: null, unsupported: ["resource.x.y"], reasons: [] }],
    ["an unknown op", conditional({ op: "regex", left: { attr: "resource.title" } } as unknown as Expr)],
    ["an unmapped attribute", conditional({ op: "==", left: { attr: "resource.secret" }, right: { value: 1 } })],
    ["has on a join table", conditional({ op: "has", attr: "resource.editors" })],
    ["an order on a string", conditional({ op: "<", left: { attr: "resource.title" }, right: { value: "m" } })],
    ["a NUL in a value", conditional({ op: "==", left: { attr: "resource.title" }, right: { value: "a\u0000b" } })],
    ["a NUL in a pattern", conditional({ op: "like", left: { attr: "resource.title" }, pattern: "*\u0000*" })],
    ["an entity of another type", conditional({ op: "==", left: { attr: "resource.owner" }, right: { entity: { type: "Role", id: "x" } } })],
    ["a plain value for an entity", conditional({ op: "==", left: { attr: "resource.owner" }, right: { value: "alice" } })],
    ["contains on a scalar", conditional({ op: "contains", left: { attr: "resource.title" }, right: { value: "x" } })],
    ["an array column on SQLite", conditional({ op: "contains", left: { attr: "resource.tags" }, right: { value: "x" } }), { dialect: "sqlite", attributes: { "resource.tags": { array: pgDocuments.tags } } }],
    ["an unknown dialect", conditional({ op: "true" }), { dialect: "mysql" as "sqlite", attributes: {} }],
    ["a prototype key", conditional({ op: "has", attr: "constructor" })],
    // JSON.parse reads 9007199254740993 as ...992: a comparison with it would be off by one.
    ["a number beyond 2^53", conditional({ op: ">", left: { attr: "resource.level" }, right: { value: 9007199254740993 } })],
    ["a fraction", conditional({ op: "==", left: { attr: "resource.level" }, right: { value: 1.5 } })],
  ];
  for (const [name, p, m] of refused) assert.throws(() => planToDrizzle(p, m ?? pgMapping), PlanTranslationError, name);
  let deep: Expr = { op: "true" };
  for (let i = 0; i < 100; i++) deep = { op: "not", arg: deep };
  assert.throws(() => planToDrizzle(conditional(deep), pgMapping), PlanTranslationError, "too deep");
});

// How the result's type is found (compile-time only): from the mapping's type, from the
// variable it is assigned to, and from findMany's own argument.
export async function typedUses(p: Plan) {
  const a: Prisma.DocumentWhereInput = planToPrismaWhere(p, PRISMA_MAPPING);
  const b = planToPrismaWhere(p, PRISMA_MAPPING) satisfies Prisma.DocumentWhereInput;
  const c = planToPrismaWhere<Prisma.DocumentWhereInput>(p, { attributes: { "resource.owner": { field: "ownerId", entityType: "User" } } });
  // @ts-expect-error: checked against the model named by the type argument
  planToPrismaWhere<Prisma.DocumentWhereInput>(p, { attributes: { "resource.owner": "owner" } });
  await prisma.document.findMany({ where: { AND: [planToPrismaWhere(p, PRISMA_MAPPING), { level: { lt: 9 } }] } });
  await prisma.document.findMany({ where: planToPrismaWhere(p, PRISMA_MAPPING) });
  return [a, b, c];
}
