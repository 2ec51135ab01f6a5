// Published policy sets (issue 29) through the client, against the real warden binary in
// store mode: list, publish with a dry run first, show, diff, rollback, and the refusals.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { execFileSync } from "node:child_process";
import { WardenClient, WardenError, WardenHttpError } from "../src/index.js";
import { BIN, ROOT, startWarden, type RunningWarden } from "./warden-server.js";

const ADMIN_PASSWORD = "admin-password-123";
const ALICE_DELETES = '@id("test.alice-deletes")\npermit(principal == User::"alice", action == Action::"deleteUserResource", resource);\n';

let warden: RunningWarden | undefined;
let client: WardenClient;
let admin = "";

before(async () => {
  const env = { WARDEN_ADMIN_PASSWORD: ADMIN_PASSWORD, WARDEN_POLICY_SOURCE: "store" };
  // `warden init` in store mode publishes the shipped policies as version 1.
  warden = await startWarden((policies) => {
    execFileSync(BIN, ["--db", join(dirname(policies), "warden.db"), "--policies", policies, "init"], {
      env: { ...process.env, ...env },
      stdio: "ignore",
    });
  }, env);
  client = new WardenClient({ url: warden.url });
  admin = (await client.login("admin@localhost", ADMIN_PASSWORD)).access_token;
});

after(() => warden?.stop());

/** The shipped policy directory as a set's files. */
function shipped(): Record<string, string> {
  const dir = join(ROOT, "policies");
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir)) {
    if (name.endsWith(".cedar") || name === "schema.cedarschema" || name === "links.json") {
      files[name] = readFileSync(join(dir, name), "utf8");
    }
  }
  for (const name of readdirSync(join(dir, "tests"))) {
    if (name.endsWith(".toml") || name.endsWith(".json")) files[`tests/${name}`] = readFileSync(join(dir, "tests", name), "utf8");
  }
  return files;
}

function isHttpError(status: number, code: string) {
  return (e: unknown) => e instanceof WardenHttpError && e.status === status && e.code === code;
}

test("versions: a dry run, a publish, show, diff and a rollback", async () => {
  const first = await client.policyVersions(admin);
  assert.equal(first.source, "store");
  assert.equal(first.active, 1);
  assert.deepEqual(first.versions.map((v) => [v.version, v.active]), [[1, true]]);

  const files = { ...shipped(), "more.cedar": ALICE_DELETES };
  const dry = await client.publishPolicies(admin, { files, message: "users may delete", dry_run: true });
  assert.equal(dry.activated, false);
  assert.equal(dry.version, null);
  assert.ok(dry.tests_passed > 0);
  assert.equal((await client.policyVersions(admin)).active, 1, "a dry run activates nothing");

  const published = await client.publishPolicies(admin, { files, message: "users may delete" });
  assert.equal(published.activated, true);
  assert.equal(published.version, 2);

  const shown = await client.policyVersion(admin, 2);
  assert.equal(shown.version.message, "users may delete");
  assert.equal(shown.version.active, true);
  assert.equal(shown.files["more.cedar"], ALICE_DELETES);

  const diff = await client.policyDiff(admin, 1, 2);
  assert.deepEqual(diff.files.map((f) => [f.file, f.change]), [["more.cedar", "added"]]);
  assert.match(diff.files[0]?.diff ?? "", /\+@id\("test\.alice-deletes"\)/);

  const back = await client.rollbackPolicies(admin, { version: 1, message: "undo" });
  assert.equal(back.version, 3);
  const list = await client.policyVersions(admin);
  assert.equal(list.active, 3);
  assert.equal(list.versions[0]?.rollback_of, 1);
});

test("refusals are WardenHttpErrors with the contract's codes, and activate nothing", async () => {
  const before = await client.policyVersions(admin);
  await assert.rejects(
    client.publishPolicies(admin, { files: { ...shipped(), "bad.cedar": "permit(" }, message: "m" }),
    isHttpError(422, "policy_invalid"),
  );
  await assert.rejects(client.publishPolicies(admin, { files: {}, message: "empty" }), isHttpError(422, "policy_invalid"));
  await assert.rejects(client.rollbackPolicies(admin, { version: 99 }), isHttpError(404, "not_found"));
  await assert.rejects(client.policyVersion(admin, 99), isHttpError(404, "not_found"));
  await assert.rejects(client.policyDiff(admin, 1, 99), isHttpError(404, "not_found"));
  await assert.rejects(client.policyVersions("not-a-token"), (e: unknown) => e instanceof WardenHttpError && e.status === 401);
  // Not a version number: refused before anything is sent.
  assert.throws(() => client.policyVersion(admin, 0), WardenError);
  assert.throws(() => client.policyDiff(admin, 1.5, 2), WardenError);
  assert.deepEqual(await client.policyVersions(admin), before);
});
