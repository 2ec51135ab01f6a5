import { test } from "node:test";
import assert from "node:assert/strict";
import { RefreshSingleFlight, WardenClient, wardenCredentials, wardenJwt, wardenSession } from "../src/index.js";
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

test("wardenJwt keeps the tokens on sign-in and wardenSession exposes id, role and token", async () => {
  const jwt = wardenJwt({ client: new WardenClient({ url: "http://127.0.0.1:9" }), refreshMarginSeconds: 60 });
  const token = await call(jwt, { token: { email: "alice@example.com" }, user: signedIn(), account: { type: "credentials", provider: "credentials" } });
  assert.equal(token.sub, "alice");
  assert.equal(token.accessToken, "at-1");
  assert.equal(token.refreshToken, "rt-1");
  assert.equal(token.expiresAt, 2_000_000_000);
  assert.equal(token.role, "USER");
  const session = await call(wardenSession(), { session: { user: { email: "alice@example.com" }, expires: "x" }, token });
  assert.deepEqual(session.user, { email: "alice@example.com", id: "alice", role: "USER", roles: ["USER"] });
  assert.equal(session.accessToken, "at-1");
  assert.equal(session.error, undefined);
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
  // Outside the margin: no call.
  assert.equal(await call(jwt, { token }), token);
  assert.equal(refreshes, 0);
  // Inside it: ten concurrent requests with the same cookie make one refresh.
  nowMs = (1_000 + 61) * 1000;
  const pending = Array.from({ length: 10 }, () => call(jwt, { token }));
  await new Promise((ok) => setTimeout(ok, 50));
  release();
  const results = await Promise.all(pending);
  assert.equal(refreshes, 1);
  for (const r of results) {
    assert.equal(r.accessToken, "at-2");
    assert.equal(r.refreshToken, "rt-2");
  }
  // A request that left the browser before the new cookie arrived: the same outcome, no call.
  assert.equal((await call(jwt, { token })).refreshToken, "rt-2");
  assert.equal(refreshes, 1);
  // warden refuses the (new) refresh token: the session is over.
  refuse = true;
  nowMs = (1_000 + 900) * 1000;
  const ended = await call(jwt, { token: results[0] });
  assert.equal(ended.error, "RefreshAccessTokenError");
  assert.equal(ended.accessToken, undefined);
  assert.equal(refreshes, 2);
  // Once marked, no more calls.
  await call(jwt, { token: ended });
  assert.equal(refreshes, 2);
  await fake.close();
});

test("wardenJwt keeps the token when warden is unreachable (the next request tries again)", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 503, { error: "unavailable", message: "later" }));
  const jwt = wardenJwt({ client: new WardenClient({ url: fake.url }), refreshMarginSeconds: 60, now: () => 2_000_000, flight: new RefreshSingleFlight() });
  const token = { sub: "alice", accessToken: "at-1", refreshToken: "rt-1", expiresAt: 2_010 };
  assert.deepEqual(await call(jwt, { token }), token);
  assert.deepEqual(await call(jwt, { token }), token);
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
