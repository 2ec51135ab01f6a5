// WardenServiceClient (AuthZEN 1.0 with a service client key) against the real warden binary:
// a fresh database and the shipped policies (alice is a USER; documents are editable by their
// owner), a client key from `warden client add`.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { WardenHttpError, WardenServiceClient, planToPrismaWhere } from "../src/index.js";
import { startWarden, type RunningWarden } from "./warden-server.js";

let warden: RunningWarden;
let service: WardenServiceClient;
const alice = { type: "user", id: "alice@example.com" };

before(async () => {
  warden = await startWarden(() => {});
  warden.cli(["user", "add", "--id", "alice", "--email", "alice@example.com", "--role", "USER", "--password-stdin"], "alice-password-123\n");
  const key = (JSON.parse(warden.cli(["client", "add", "ts-service", "--json"])) as { key: string }).key;
  service = new WardenServiceClient({ url: warden.url, clientKey: key });
});

after(() => warden?.stop());

test("evaluation: allow, deny, and isAllowed fails closed", async () => {
  const read = { subject: alice, action: { name: "readDocument" }, resource: { type: "Document", id: "d1", properties: { owner: { type: "User", id: "bob" } } } };
  assert.deepEqual(await service.evaluation(read), { decision: true });
  const del = { subject: alice, action: { name: "deleteUserResource" }, resource: { type: "UserResource", id: "r1" } };
  assert.deepEqual(await service.evaluation(del), { decision: false });
  assert.equal(await service.isAllowed(read), true);
  assert.equal(await service.isAllowed(del), false);
  // An unknown subject is a deny, not an error.
  assert.equal(await service.isAllowed({ ...read, subject: { type: "user", id: "nobody" } }), false);
  // A wrong key: the call throws 401; isAllowed says false.
  const wrong = new WardenServiceClient({ url: warden.url, clientKey: "not-a-key" });
  await assert.rejects(wrong.evaluation(read), (e) => e instanceof WardenHttpError && e.status === 401);
  assert.equal(await wrong.isAllowed(read), false);
  // warden unreachable: false as well.
  const down = new WardenServiceClient({ url: "http://127.0.0.1:9", clientKey: "k", timeoutMs: 1000 });
  assert.equal(await down.isAllowed(read), false);
  assert.throws(() => new WardenServiceClient({ url: warden.url, clientKey: "" }), /service client key/);
});

test("evaluations: in order, defaults completed per item, a bad item is a deny", async () => {
  const answers = await service.evaluations({
    subject: alice,
    resource: { type: "Document", id: "d1", properties: { owner: { type: "User", id: "alice" } } },
    evaluations: [
      { action: { name: "readDocument" } },
      { action: { name: "deleteUserResource" }, resource: { type: "UserResource", id: "r1" } },
      // Not an item the schema allows: denied with the reason, the others still answered.
      { action: { name: "readDocument" }, extra: true } as never,
    ],
    options: { explain: true },
  });
  assert.deepEqual(answers.map((a) => a.decision), [true, false, false]);
  assert.ok((answers[2]?.context?.errors ?? []).length > 0, JSON.stringify(answers[2]));
});

test("searches: subjects, actions, and resources with a typed plan", async () => {
  const subjects = await service.searchSubject({
    subject: { type: "user" },
    action: { name: "readDocument" },
    resource: { type: "Document", id: "d1", properties: { owner: { type: "User", id: "alice" } } },
  });
  assert.ok(subjects.results.some((s) => s.id === "alice"), JSON.stringify(subjects));
  const actions = await service.searchAction({ subject: alice, resource: { type: "Document", id: "d1", properties: { owner: { type: "User", id: "alice" } } } });
  const names = actions.results.map((a) => a.name).sort();
  assert.ok(names.includes("editDocument") && names.includes("readDocument"), JSON.stringify(names));
  const found = await service.searchResource({ subject: alice, action: { name: "editDocument" }, resource: { type: "Document" } });
  assert.equal(found.enumerated, false);
  assert.equal(found.plan.kind, "conditional");
  const condition = found.plan.condition;
  assert.ok(condition && condition.op === "==");
  // The plan applies as an ORM filter: documents owned by alice.
  assert.deepEqual(planToPrismaWhere(found.plan, { attributes: { "resource.owner": { field: "ownerId", entityType: "User" } } }), { ownerId: { equals: "alice" } });
});
