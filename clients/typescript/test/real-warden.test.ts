// The package against the real warden binary (target/debug/warden, or WARDEN_BIN): a fresh
// database in a temp dir, the shipped policies, a port chosen by the system.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { generateKeyPairSync, sign as signBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  type PlanSqlRequest,
  RefreshSingleFlight,
  WardenClient,
  WardenHttpError,
  authorize,
  authorizeMany,
  requireAllowed,
  plan,
  planToPrismaWhere,
  WardenDeniedError,
  wardenCredentials,
  wardenJwt,
  withWardenRotation,
} from "../src/index.js";

const ROOT = resolve(import.meta.dirname, "../../../..");
const BIN = process.env.WARDEN_BIN ?? join(ROOT, "target/debug/warden");
const ADMIN_PASSWORD = "admin-password-123";
const ALICE_PASSWORD = "alice-password-123";

let dir = "";
let child: ChildProcess | undefined;
let client: WardenClient;

// A local OpenID provider: discovery and JWKS on 127.0.0.1, an Ed25519 key of its own.
const APP_CLIENT_ID = "nextjs-app";
const idpKey = generateKeyPairSync("ed25519");
let idp: Server | undefined;
let idpIssuer = "";

function idToken(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const input = `${b64({ alg: "EdDSA", kid: "idp-1", typ: "JWT" })}.${b64({
    iss: idpIssuer,
    aud: APP_CLIENT_ID,
    iat: now,
    exp: now + 300,
    ...claims,
  })}`;
  return `${input}.${signBytes(null, Buffer.from(input), idpKey.privateKey).toString("base64url")}`;
}

async function startIdp(): Promise<void> {
  const jwk = { ...idpKey.publicKey.export({ format: "jwk" }), kid: "idp-1", alg: "EdDSA", use: "sig" };
  idp = createServer((req, res) => {
    const body =
      req.url === "/.well-known/openid-configuration"
        ? { issuer: idpIssuer, jwks_uri: `${idpIssuer}/jwks` }
        : req.url === "/jwks"
          ? { keys: [jwk] }
          : { error: "not_found" };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>((ok) => idp?.listen(0, "127.0.0.1", ok));
  idpIssuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
}

function cli(args: string[], input?: string): string {
  return execFileSync(BIN, ["--db", join(dir, "warden.db"), "--policies", join(dir, "policies"), ...args], {
    encoding: "utf8",
    input,
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "warden-ts-"));
  cpSync(join(ROOT, "policies"), join(dir, "policies"), { recursive: true });
  await startIdp();
  const exchangeIssuers = JSON.stringify([
    { issuer: idpIssuer, audience: APP_CLIENT_ID, algorithms: ["EdDSA"], create_users: true, default_roles: ["USER"] },
  ]);
  const server = spawn(
    BIN,
    ["serve", "--listen", "127.0.0.1:0", "--db", join(dir, "warden.db"), "--policies", join(dir, "policies")],
    {
      env: {
        ...process.env,
        WARDEN_ADMIN_PASSWORD: ADMIN_PASSWORD,
        WARDEN_WATCH_POLICIES: "false",
        WARDEN_EXCHANGE_ISSUERS: exchangeIssuers,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child = server;
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => fail(new Error(`warden did not start:\n${out}`)), 30_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = out.match(/warden listening on (http:\/\/[\d.:]+)/);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    server.stdout?.on("data", onData);
    server.stderr?.on("data", onData);
    server.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`warden exited with ${code}:\n${out}`));
    });
  });
  client = new WardenClient({ url });
  cli(["user", "add", "--email", "alice@example.com", "--name", "Alice", "--role", "USER", "--password-stdin"], `${ALICE_PASSWORD}\n`);
});

after(() => {
  child?.kill("SIGTERM");
  idp?.closeAllConnections();
  idp?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(email: string, password: string) {
  const jwt = wardenJwt({ client, flight: new RefreshSingleFlight() });
  const provider = wardenCredentials({ client });
  const user = await (provider.authorize as (c: Record<string, string>) => Promise<Record<string, unknown> | null>)({ email, password });
  assert.ok(user, "signed in");
  return (jwt as unknown as (p: Record<string, unknown>) => Promise<Record<string, unknown>>)({
    token: { email },
    user,
    account: { type: "credentials", provider: "credentials" },
  });
}

test("sign-in, an allowed and a denied decision, a batch, and requireAllowed", async () => {
  const admin = await signIn("admin@localhost", ADMIN_PASSWORD);
  assert.equal(admin.role, "ADMIN");
  const adminSession = { accessToken: admin.accessToken as string };
  const allowed = await authorize(adminSession, "deleteUserResource", { type: "UserResource", id: "r1" }, undefined, { client });
  assert.equal(allowed.allowed, true);
  assert.deepEqual(allowed.reasons, ["app.admin-delete-user-resource"]);

  const alice = await signIn("alice@example.com", ALICE_PASSWORD);
  const aliceSession = { accessToken: alice.accessToken as string };
  const denied = await authorize(aliceSession, "deleteUserResource", { type: "UserResource", id: "r1" }, undefined, { client });
  assert.equal(denied.allowed, false);
  assert.equal(denied.unauthenticated, false);
  await assert.rejects(
    requireAllowed(aliceSession, "deleteUserResource", { type: "UserResource", id: "r1" }, undefined, { client }),
    WardenDeniedError,
  );

  const many = await authorizeMany(
    adminSession,
    [
      { action: "deleteUserResource", resource: { type: "UserResource", id: "a" } },
      { action: "noSuchAction", resource: { type: "UserResource", id: "b" } },
    ],
    { client },
  );
  assert.deepEqual(many.map((d) => d.allowed), [true, false]);

  // A forged token: 401, and a deny that says to sign in again.
  const forged = await authorize({ accessToken: "e30.e30.e30" }, "deleteUserResource", { type: "UserResource", id: "r1" }, undefined, { client });
  assert.deepEqual([forged.allowed, forged.unauthenticated], [false, true]);
});

test("a wrong password is a 401 from the client and no user from the provider", async () => {
  await assert.rejects(client.login("alice@example.com", "wrong-password"), (e: unknown) => e instanceof WardenHttpError && e.status === 401);
  const user = await (wardenCredentials({ client }).authorize as (c: Record<string, string>) => Promise<unknown>)({
    email: "alice@example.com",
    password: "wrong-password",
  });
  assert.equal(user, null);
});

test("the jwt callback refreshes through warden (inside NextAuth's handler), concurrently once, and a logged-out session ends", async () => {
  const token = await signIn("alice@example.com", ALICE_PASSWORD);
  const flight = new RefreshSingleFlight();
  // The clock says the access token is about to expire.
  const jwt = wardenJwt({ client, flight, refreshMarginSeconds: 60, now: () => ((token.expiresAt as number) - 30) * 1000 }) as unknown as (
    p: Record<string, unknown>,
  ) => Promise<Record<string, unknown>>;
  // Where a Server Component renders: no rotation, the token is read as it is.
  assert.equal(await jwt({ token }), token);
  // Inside NextAuth's route handler (the session endpoint): five concurrent requests, one successor.
  const results = await withWardenRotation({}, () => Promise.all(Array.from({ length: 5 }, () => jwt({ token }))));
  const successors = new Set(results.map((r) => r.refreshToken));
  assert.equal(successors.size, 1);
  assert.notEqual(results[0]?.refreshToken, token.refreshToken);
  assert.equal(results[0]?.error, undefined);
  // The new access token works.
  const d = await authorize({ accessToken: results[0]?.accessToken as string }, "deleteUserResource", { type: "UserResource", id: "x" }, undefined, { client });
  assert.equal(d.unauthenticated, false);
  // Log out: the next refresh is refused and the token is marked.
  const out = await client.logout(results[0]?.refreshToken as string);
  assert.equal(out.logged_out, true);
  const later = wardenJwt({ client, flight: new RefreshSingleFlight(), refreshMarginSeconds: 60, now: () => ((token.expiresAt as number) + 10) * 1000 }) as unknown as (
    p: Record<string, unknown>,
  ) => Promise<Record<string, unknown>>;
  const ended = await withWardenRotation({}, () => later({ token: results[0] }));
  assert.equal(ended.error, "RefreshAccessTokenError");
});

test("another provider's ID token becomes a warden session in the jwt callback", async () => {
  const jwt = wardenJwt({ client, flight: new RefreshSingleFlight() }) as unknown as (
    p: Record<string, unknown>,
  ) => Promise<Record<string, unknown>>;
  const account = {
    type: "oidc",
    provider: "my-idp",
    id_token: idToken({ sub: "idp|carol", email: "carol@example.com", email_verified: true, name: "Carol" }),
  };
  const token = await jwt({ token: { email: "carol@example.com" }, user: { id: "idp|carol" }, account });
  assert.equal(token.error, undefined, JSON.stringify(token));
  assert.equal(token.email, "carol@example.com");
  assert.equal(token.role, "USER");
  const d = await authorize({ accessToken: token.accessToken as string }, "deleteUserResource", { type: "UserResource", id: "r1" }, undefined, { client });
  assert.deepEqual([d.allowed, d.unauthenticated], [false, false], "a USER, signed in, denied by the policies");
  // An unverified email is refused: no warden session, every decision denies.
  const refused = await jwt({
    token: {},
    user: { id: "idp|mallory" },
    account: { ...account, id_token: idToken({ sub: "idp|mallory", email: "admin@localhost", email_verified: false }) },
  });
  assert.equal(refused.error, "ExchangeError");
  assert.equal(refused.accessToken, undefined);
  await assert.rejects(client.exchangeIdToken("not.a.token"), (e: unknown) => e instanceof WardenHttpError && e.status === 400);
});

test("a real plan becomes an exact Prisma filter", async () => {
  const alice = await signIn("alice@example.com", ALICE_PASSWORD);
  const session = { accessToken: alice.accessToken as string };
  const edit = await plan(session, "editDocument", "Document", undefined, { client });
  assert.equal(edit.kind, "conditional", JSON.stringify(edit));
  const mapping = { attributes: { resource: { field: "id", entityType: "Document" }, "resource.owner": { field: "ownerId", entityType: "User" } } };
  assert.deepEqual(planToPrismaWhere(edit, mapping), { ownerId: { equals: "alice" } });
  const read = await plan(session, "readDocument", "Document", undefined, { client });
  assert.deepEqual(planToPrismaWhere(read, mapping), { AND: [] });
  const del = await plan(session, "deleteUserResource", "UserResource", undefined, { client });
  assert.deepEqual(planToPrismaWhere(del, mapping), { OR: [] });
  // A dead token: a plan that allows nothing, and says to sign in again.
  const none = await plan({ accessToken: "e30.e30.e30" }, "readDocument", "Document", undefined, { client });
  assert.equal(none.kind, "always_denied");
  assert.equal(none.unauthenticated, true);
});

test("planSql: a real plan as a SQL fragment with bound parameters, and refusals as typed errors", async () => {
  const alice = await client.login("alice@example.com", ALICE_PASSWORD);
  const token = alice.access_token;
  const edit = await client.planSql(token, {
    action: "editDocument",
    resource_type: "Document",
    mapping: { dialect: "postgres", first_param: 2, columns: { "resource.owner": "documents.owner_id" } },
  });
  assert.equal(edit.sql, "(documents.owner_id COLLATE \"C\" = $2)");
  assert.deepEqual(edit.params, ["alice"]);
  assert.equal(edit.plan.kind, "conditional");
  assert.deepEqual(edit.plan.reasons, ["app.owner-edit-document"]);
  const none = await client.planSql(token, {
    action: "deleteUserResource",
    resource_type: "UserResource",
    mapping: { dialect: "sqlite", columns: {} },
  });
  assert.deepEqual([none.sql, none.params, none.plan.kind], ["(1 = 0)", [], "always_denied"]);
  const refused = async (mapping: PlanSqlRequest["mapping"], code: string) =>
    assert.rejects(
      client.planSql(token, { action: "editDocument", resource_type: "Document", mapping }),
      (e: unknown) => e instanceof WardenHttpError && e.status === 400 && e.code === code,
    );
  await refused({ dialect: "sqlite", columns: { "resource.owner": "owner_id; DROP TABLE documents" } }, "unsafe_identifier");
  await refused({ dialect: "sqlite", columns: {} }, "unmapped_attribute");
  await refused({ dialect: "sqlite", columns: { "resource.tags": { table: "document_tags", key: "document_id", value: "tag" } } }, "invalid_mapping");
  await refused({ dialect: "mysql" as "sqlite", columns: { "resource.owner": "owner_id" } }, "unknown_dialect");
});
