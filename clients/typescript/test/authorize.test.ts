import { test } from "node:test";
import assert from "node:assert/strict";
import {
  WardenClient,
  WardenDeniedError,
  authorize,
  authorizeMany,
  isWardenDeniedError,
  plan,
  requireAllowed,
} from "../src/index.js";
import { allow, deadUrl, denyAnswer, fakeWarden, json } from "./fake.js";

const session = { accessToken: "at-1", user: { id: "alice" } };
const resource = { type: "UserResource", id: "r1" };

test("authorize sends the action, resource and context with the session's token", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 200, allow(["app.admin"])));
  const client = new WardenClient({ url: fake.url });
  const d = await authorize(session, "deleteUserResource", { ...resource, properties: { owner: "alice" } }, { ip: "1" }, { client });
  assert.deepEqual(d, { allowed: true, reasons: ["app.admin"], errors: [], unauthenticated: false });
  assert.equal(fake.asked[0]?.path, "/v1/authorize");
  assert.equal(fake.asked[0]?.authorization, "Bearer at-1");
  assert.deepEqual(fake.asked[0]?.body, {
    action: "deleteUserResource",
    resource: { type: "UserResource", id: "r1", properties: { owner: "alice" } },
    context: { ip: "1" },
  });
  await fake.close();
});

test("authorize fails closed: deny, non-2xx, 401, malformed, contradictory, not JSON, timeout, no server, no session", async () => {
  const cases: Array<[string, (res: import("node:http").ServerResponse) => void, boolean]> = [
    ["deny", (res) => json(res, 200, denyAnswer(["forbid-1"])), false],
    ["500", (res) => json(res, 500, { error: "internal", message: "boom" }), false],
    ["401", (res) => json(res, 401, { error: "invalid_token", message: "expired" }), true],
    ["malformed", (res) => json(res, 200, { allowed: "yes" }), false],
    ["contradictory", (res) => json(res, 200, { ...allow(), decision: "deny" }), false],
    ["array", (res) => json(res, 200, [allow()]), false],
    [
      "not JSON",
      (res) => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end("allowed");
      },
      false,
    ],
    ["no answer in time", () => {}, false],
  ];
  for (const [name, answer, unauthenticated] of cases) {
    const fake = await fakeWarden((_a, res) => answer(res));
    const client = new WardenClient({ url: fake.url, timeoutMs: 300 });
    const d = await authorize(session, "deleteUserResource", resource, undefined, { client });
    assert.equal(d.allowed, false, name);
    assert.equal(d.unauthenticated, unauthenticated, name);
    if (name === "deny") assert.deepEqual(d.reasons, ["forbid-1"]);
    else assert.ok(d.errors.length > 0, name);
    await fake.close();
  }
  const client = new WardenClient({ url: await deadUrl() });
  assert.equal((await authorize(session, "a", resource, undefined, { client })).allowed, false);
  for (const s of [null, undefined, {}, { accessToken: "" }, { accessToken: "at", error: "RefreshAccessTokenError" }]) {
    const d = await authorize(s, "a", resource, undefined, { client });
    assert.deepEqual([d.allowed, d.unauthenticated], [false, true]);
  }
});

test("authorizeMany uses the batch endpoint, in order, and denies all when it fails", async () => {
  let fail = false;
  const fake = await fakeWarden((a, res) => {
    if (fail) return json(res, 503, { error: "unavailable", message: "later" });
    const items = (a.body as { items: Array<{ resource: { id: string } }> }).items;
    json(res, 200, { request_id: "r", results: items.map((i) => (i.resource.id === "r1" ? allow() : denyAnswer())) });
  });
  const client = new WardenClient({ url: fake.url });
  const qs = ["r1", "r2", "r1"].map((id) => ({ action: "view", resource: { type: "Doc", id } }));
  const ds = await authorizeMany(session, qs, { client });
  assert.deepEqual(ds.map((d) => d.allowed), [true, false, true]);
  assert.equal(fake.asked.length, 1);
  assert.equal(fake.asked[0]?.path, "/v1/authorize/batch");
  fail = true;
  assert.deepEqual((await authorizeMany(session, qs, { client })).map((d) => d.allowed), [false, false, false]);
  assert.deepEqual(await authorizeMany(session, [], { client }), []);
  await fake.close();
});

test("authorizeMany denies all when warden answers a different number of decisions", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 200, { request_id: "r", results: [allow()] }));
  const client = new WardenClient({ url: fake.url });
  const qs = ["r1", "r2"].map((id) => ({ action: "view", resource: { type: "Doc", id } }));
  assert.deepEqual((await authorizeMany(session, qs, { client })).map((d) => d.allowed), [false, false]);
  await fake.close();
});

test("requireAllowed returns the decision when allowed and throws WardenDeniedError otherwise", async () => {
  let allowed = true;
  const fake = await fakeWarden((_a, res) => json(res, 200, allowed ? allow() : denyAnswer(["f"])));
  const client = new WardenClient({ url: fake.url });
  assert.equal((await requireAllowed(session, "deleteUserResource", resource, undefined, { client })).allowed, true);
  allowed = false;
  const err = await requireAllowed(session, "deleteUserResource", resource, undefined, { client }).then(
    () => assert.fail("not thrown"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof WardenDeniedError);
  assert.ok(isWardenDeniedError(err));
  assert.deepEqual(err.toResult(), {
    ok: false,
    error: "denied",
    message: "Denied: you may not deleteUserResource UserResource r1.",
    action: "deleteUserResource",
    resource: { type: "UserResource", id: "r1" },
    reasons: ["f"],
  });
  // The result is plain data: it survives the server-action boundary (structured clone).
  assert.deepEqual(structuredClone(err.toResult()), err.toResult());
  const gone = await requireAllowed(null, "deleteUserResource", resource, undefined, { client }).catch((e: unknown) => e);
  assert.ok(gone instanceof WardenDeniedError && gone.unauthenticated);
  assert.equal(gone.toResult().error, "unauthenticated");
  await fake.close();
});

test("plan returns warden's plan, and a plan allowing nothing on any failure", async () => {
  const answer = {
    kind: "conditional",
    condition: { op: "==", left: { attr: "resource.owner" }, right: { entity: { type: "User", id: "alice" } } },
    unsupported: [],
    reasons: ["p"],
  };
  let mode: "ok" | "500" | "bad" = "ok";
  const fake = await fakeWarden((_a, res) => {
    if (mode === "ok") return json(res, 200, answer);
    if (mode === "bad") return json(res, 200, { kind: "maybe", condition: null, unsupported: [], reasons: [] });
    return json(res, 500, { error: "internal", message: "x" });
  });
  const client = new WardenClient({ url: fake.url });
  assert.deepEqual(await plan(session, "viewDocument", "Document", undefined, { client }), answer);
  assert.deepEqual(fake.asked[0]?.body, { action: "viewDocument", resource_type: "Document" });
  assert.equal(fake.asked[0]?.path, "/v1/authorize/plan");
  for (const m of ["500", "bad"] as const) {
    mode = m;
    const p = await plan(session, "viewDocument", "Document", undefined, { client });
    assert.equal(p.kind, "always_denied");
    assert.deepEqual(p.condition, { op: "false" });
    assert.ok(p.errors && p.errors.length > 0);
  }
  const none = await plan(undefined, "viewDocument", "Document", undefined, { client });
  assert.equal(none.kind, "always_denied");
  assert.equal(none.unauthenticated, true);
  await fake.close();
});
