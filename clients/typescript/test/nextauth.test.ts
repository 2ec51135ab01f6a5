import { test } from "node:test";
import assert from "node:assert/strict";
import { RefreshSingleFlight, WardenClient, wardenCredentials, wardenJwt, wardenSession, withWardenRotation } from "../src/index.js";
import { fakeWarden, json, signedIn } from "./fake.js";

type Jwt = Record<string, unknown>;
// The callbacks' parameters, as NextAuth passes them (only what they read).
const call = (cb: unknown, params: Record<string, unknown>) =>
  (cb as (p: Record<string, unknown>) => Promise<Jwt>)(params);

test("wardenCredentials signs in through /v1/auth/login and returns warden's answer as the user", async () => {
  const fake = await fakeWarden((a, res) => {
    const { email, password } = a.body as { email: string; password: string };
    if (email === "alice@example.com" && password === "pw") return json(res, 200, signedIn());
    json(res, 401, { error: "invalid_credentials", message: "invalid email or password" });
  });
  const provider = wardenCredentials({ client: new WardenClient({ url: fake.url }) });
  assert.equal(provider.type, "credentials");
  assert.equal(provider.id, "credentials");
  assert.deepEqual(Object.keys(provider.credentials), ["email", "password"]);
  const authorize = provider.authorize as (c: Record<string, string>) => Promise<Record<string, unknown> | null>;
  const user = await authorize({ email: "alice@example.com", password: "pw" });
  assert.equal(user?.id, "alice");
  assert.equal(user?.access_token, "at-1");
  assert.equal(user?.refresh_token, "rt-1");
  assert.equal(await authorize({ email: "alice@example.com", password: "wrong" }), null);
  assert.equal(await authorize({ email: "", password: "" }), null);
  assert.equal(fake.asked.length, 2, "empty credentials are not sent");
  await fake.close();
  // warden down: no user, not an exception.
  assert.equal(await authorize({ email: "alice@example.com", password: "pw" }), null);
});

test("wardenJwt keeps the tokens on sign-in and wardenSession exposes id and role, never a token", async () => {
  const jwt = wardenJwt({ client: new WardenClient({ url: "http://127.0.0.1:9" }), refreshMarginSeconds: 60 });
  const token = await call(jwt, { token: { email: "alice@example.com" }, user: signedIn(), account: { type: "credentials", provider: "credentials" } });
  assert.equal(token.sub, "alice");
  assert.equal(token.accessToken, "at-1");
  assert.equal(token.refreshToken, "rt-1");
  assert.equal(token.expiresAt, 2_000_000_000);
  assert.equal(token.role, "USER");
  const session = await call(wardenSession(), { session: { user: { email: "alice@example.com" }, expires: "x" }, token });
  assert.deepEqual(session.user, { email: "alice@example.com", id: "alice", role: "USER", roles: ["USER"] });
  assert.equal(session.expiresAt, 2_000_000_000);
  assert.equal(session.error, undefined);
  // What the browser reads at /api/auth/session: no bearer token, no refresh token, anywhere
  // (even if an older callback had put one in the session object).
  const text = JSON.stringify(
    await call(wardenSession(), { session: { user: { email: "a" }, accessToken: "at-1", refreshToken: "rt-1", expires: "x" }, token }),
  );
  assert.ok(!text.includes("at-1") && !text.includes("rt-1"), text);
  assert.deepEqual(Object.keys(JSON.parse(text)).sort(), ["expires", "expiresAt", "user"]);
});

test("wardenJwt refreshes before expiry, once for concurrent requests, and marks a refused refresh", async () => {
  let refreshes = 0;
  let refuse = false;
  let release: () => void = () => {};
  const gate = new Promise<void>((ok) => (release = ok));
  const fake = await fakeWarden(async (a, res) => {
    assert.equal(a.path, "/v1/auth/refresh");
    refreshes += 1;
    if (refuse) return json(res, 400, { error: "invalid_grant", message: "reuse" });
    await gate;
    json(res, 200, signedIn({ access_token: "at-2", token: "at-2", refresh_token: "rt-2", expires_at: 1_000 + 900 }));
  });
  let nowMs = 1_000_000; // epoch 1000 s
  const jwt = wardenJwt({
    client: new WardenClient({ url: fake.url }),
    refreshMarginSeconds: 60,
    now: () => nowMs,
    flight: new RefreshSingleFlight(10_000, 100, () => nowMs),
  });
  const token = { sub: "alice", accessToken: "at-1", refreshToken: "rt-1", expiresAt: 1_000 + 120, role: "USER" };
  // NextAuth's route handler (wardenAuthHandler), where the answer sets the cookie.
  const inHandler = (p: Record<string, unknown>) => withWardenRotation({}, () => call(jwt, p));
  // Outside the margin: no call.
  assert.equal(await inHandler({ token }), token);
  assert.equal(refreshes, 0);
  // Inside it: ten concurrent requests with the same cookie make one refresh.
  nowMs = (1_000 + 61) * 1000;
  const pending = Array.from({ length: 10 }, () => inHandler({ token }));
  await new Promise((ok) => setTimeout(ok, 50));
  release();
  const results = await Promise.all(pending);
  assert.equal(refreshes, 1);
  for (const r of results) {
    assert.equal(r.accessToken, "at-2");
    assert.equal(r.refreshToken, "rt-2");
  }
  // A request that left the browser before the new cookie arrived: the same outcome, no call.
  assert.equal((await inHandler({ token })).refreshToken, "rt-2");
  assert.equal(refreshes, 1);
  // warden refuses the (new) refresh token: the session is over.
  refuse = true;
  nowMs = (1_000 + 900) * 1000;
  const ended = await inHandler({ token: results[0] });
  assert.equal(ended.error, "RefreshAccessTokenError");
  assert.equal(ended.accessToken, undefined);
  assert.equal(refreshes, 2);
  // Once marked, no more calls.
  await inHandler({ token: ended });
  assert.equal(refreshes, 2);
  await fake.close();
});

test("wardenJwt keeps the token when warden is unreachable (the next request tries again)", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 503, { error: "unavailable", message: "later" }));
  const jwt = wardenJwt({ client: new WardenClient({ url: fake.url }), refreshMarginSeconds: 60, now: () => 2_000_000, flight: new RefreshSingleFlight() });
  const token = { sub: "alice", accessToken: "at-1", refreshToken: "rt-1", expiresAt: 2_010 };
  assert.deepEqual(await withWardenRotation({}, () => call(jwt, { token })), token);
  assert.deepEqual(await withWardenRotation({}, () => call(jwt, { token })), token);
  assert.equal(fake.asked.length, 2, "a failure is not remembered");
  await fake.close();
});

test("wardenJwt exchanges another provider's ID token for a warden session", async () => {
  let accept = true;
  const fake = await fakeWarden((a, res) => {
    assert.equal(a.path, "/v1/auth/exchange");
    assert.deepEqual(a.body, {
      grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
      subject_token: "id-token-from-google",
      subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
    });
    if (!accept) return json(res, 401, { error: "invalid_token", message: "untrusted issuer" });
    json(res, 200, signedIn({ id: "bob", email: "bob@example.com" }));
  });
  const jwt = wardenJwt({ client: new WardenClient({ url: fake.url }) });
  const account = { type: "oauth", provider: "google", id_token: "id-token-from-google" };
  const profileUser = { id: "google-123", email: "bob@example.com" };
  const token = await call(jwt, { token: { email: "bob@example.com" }, user: profileUser, account });
  assert.equal(token.sub, "bob");
  assert.equal(token.accessToken, "at-1");
  accept = false;
  const refused = await call(jwt, { token: { email: "bob@example.com" }, user: profileUser, account });
  assert.equal(refused.error, "ExchangeError");
  assert.equal(refused.accessToken, undefined);
  const noIdToken = await call(jwt, { token: {}, user: profileUser, account: { type: "oauth", provider: "github" } });
  assert.equal(noIdToken.error, "ExchangeError");
  await fake.close();
});

test("the single flight is bounded and forgets settled refreshes after a while", async () => {
  let n = 0;
  const fake = await fakeWarden((_a, res) => {
    n += 1;
    json(res, 200, signedIn({ refresh_token: `rt-${n + 1}` }));
  });
  const client = new WardenClient({ url: fake.url });
  let now = 0;
  const flight = new RefreshSingleFlight(1_000, 3, () => now);
  for (const t of ["a", "b", "c", "d", "e"]) await flight.refresh(client, t);
  assert.ok(flight.size <= 3);
  await flight.refresh(client, "e");
  assert.equal(n, 5, "a settled refresh is remembered");
  now = 5_000;
  await flight.refresh(client, "e");
  assert.equal(n, 6, "and forgotten after keepSettledMs");
  await fake.close();
});

test("outside NextAuth's route handler (a Server Component) the jwt callback never rotates, even expired", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 200, signedIn({ refresh_token: "rt-2", access_token: "at-2" })));
  const client = new WardenClient({ url: fake.url });
  const token = { sub: "alice", accessToken: "at-1", refreshToken: "rt-1", expiresAt: 1_000, role: "USER" };
  for (const nowMs of [(1_000 - 30) * 1000, (1_000 + 3_600) * 1000]) {
    const jwt = wardenJwt({ client, refreshMarginSeconds: 60, now: () => nowMs, flight: new RefreshSingleFlight() });
    assert.equal(await call(jwt, { token }), token, "returned as it is");
  }
  assert.equal(fake.asked.length, 0, "warden was not asked: nothing was rotated that the browser cannot store");
  // Inside wardenAuthHandler (the session endpoint) the same call rotates.
  const jwt = wardenJwt({ client, refreshMarginSeconds: 60, now: () => 970_000, flight: new RefreshSingleFlight() });
  const { wardenAuthHandler } = await import("../src/index.js");
  const handler = wardenAuthHandler(async (_req: { headers: Record<string, string> }) => call(jwt, { token }));
  assert.equal((await handler({ headers: {} })).refreshToken, "rt-2");
  assert.equal(fake.asked.length, 1);
  // `rotate: "always"` (the pages router, where getServerSession writes the cookie) rotates anywhere.
  const always = wardenJwt({ client, refreshMarginSeconds: 60, now: () => 970_000, rotate: "always", flight: new RefreshSingleFlight() });
  assert.equal((await call(always, { token })).refreshToken, "rt-2");
  await fake.close();
});

test("the refresh answer's roles replace the kept ones (a role change shows at the next refresh)", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 200, signedIn({ role: "ADMIN", roles: ["ADMIN", "USER"], refresh_token: "rt-2" })));
  const jwt = wardenJwt({ client: new WardenClient({ url: fake.url }), refreshMarginSeconds: 60, now: () => 1_000_000, flight: new RefreshSingleFlight() });
  const token = { sub: "alice", accessToken: "at-1", refreshToken: "rt-1", expiresAt: 1_030, role: "USER", roles: ["USER"] };
  const next = await withWardenRotation({}, () => call(jwt, { token }));
  const session = await call(wardenSession(), { session: { user: {} }, token: next });
  assert.deepEqual(session.user, { id: "alice", role: "ADMIN", roles: ["ADMIN", "USER"] });
  await fake.close();
});

test("with a client key, sign-in, refresh and decisions send the key and the end user's address", async () => {
  const fake = await fakeWarden((a, res) => {
    if (a.path === "/v1/authorize") return json(res, 200, { decision: "allow", allowed: true, reasons: ["p"], errors: [], request_id: "r" });
    json(res, 200, signedIn({ refresh_token: "rt-2" }));
  });
  const client = new WardenClient({ url: fake.url, clientKey: "wk_test_key" });
  const provider = wardenCredentials({ client });
  const authorizeUser = provider.authorize as (c: Record<string, string>, req: unknown) => Promise<Record<string, unknown> | null>;
  // NextAuth v4 passes the sign-in request with its headers (a plain object).
  await authorizeUser({ email: "alice@example.com", password: "pw" }, { headers: { "x-forwarded-for": "203.0.113.7, 10.0.0.1" } });
  const jwt = wardenJwt({ client, refreshMarginSeconds: 60, now: () => 1_000_000, flight: new RefreshSingleFlight() });
  const headers = new Headers({ "x-real-ip": "2001:db8::5" });
  await withWardenRotation(headers, () => call(jwt, { token: { refreshToken: "rt-1", accessToken: "at-1", expiresAt: 1_010 } }));
  const { authorize } = await import("../src/index.js");
  const d = await authorize({ accessToken: "at-1", clientIp: "198.51.100.9" }, "a", { type: "T", id: "1" }, undefined, { client });
  assert.equal(d.allowed, true);
  assert.deepEqual(
    fake.asked.map((a) => [a.path, a.headers["x-warden-client-key"], a.headers["x-warden-client-ip"]]),
    [
      ["/v1/auth/login", "wk_test_key", "203.0.113.7"],
      ["/v1/auth/refresh", "wk_test_key", "2001:db8::5"],
      ["/v1/authorize", "wk_test_key", "198.51.100.9"],
    ],
  );
  await fake.close();
});

test("without a client key no address is sent, and a forged address header is not passed on", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 200, signedIn()));
  const saved = process.env.WARDEN_CLIENT_KEY;
  delete process.env.WARDEN_CLIENT_KEY;
  const client = new WardenClient({ url: fake.url });
  assert.equal(client.hasClientKey, false);
  const provider = wardenCredentials({ client });
  const authorizeUser = provider.authorize as (c: Record<string, string>, req: unknown) => Promise<Record<string, unknown> | null>;
  await authorizeUser({ email: "a@example.com", password: "pw" }, { headers: { "x-forwarded-for": "203.0.113.7" } });
  await client.refresh("rt-1", { clientIp: "203.0.113.7" });
  for (const a of fake.asked) {
    assert.equal(a.headers["x-warden-client-key"], undefined);
    assert.equal(a.headers["x-warden-client-ip"], undefined);
  }
  // WARDEN_CLIENT_KEY is the default key; an address that is not one is never sent.
  process.env.WARDEN_CLIENT_KEY = "wk_env";
  const fromEnv = new WardenClient({ url: fake.url });
  await (wardenCredentials({ client: fromEnv }).authorize as typeof authorizeUser)(
    { email: "a@example.com", password: "pw" },
    { headers: { "x-forwarded-for": "1.2.3.4\r\nx-evil: 1" } },
  );
  const last = fake.asked[fake.asked.length - 1];
  assert.equal(last?.headers["x-warden-client-key"], "wk_env");
  assert.equal(last?.headers["x-warden-client-ip"], undefined);
  if (saved === undefined) delete process.env.WARDEN_CLIENT_KEY;
  else process.env.WARDEN_CLIENT_KEY = saved;
  await fake.close();
});

test("clientAddress: first X-Forwarded-For entry, else X-Real-IP, else nothing", async () => {
  const { clientAddress } = await import("../src/index.js");
  assert.equal(clientAddress({ "x-forwarded-for": " 203.0.113.7 , 10.0.0.1" }), "203.0.113.7");
  assert.equal(clientAddress({ "X-Real-IP": "198.51.100.2" }), "198.51.100.2");
  assert.equal(clientAddress(new Headers({ "x-forwarded-for": "[2001:db8::1]" })), "2001:db8::1");
  assert.equal(clientAddress({ "x-forwarded-for": "unknown" }), undefined);
  assert.equal(clientAddress({}), undefined);
  assert.equal(clientAddress(undefined), undefined);
});
