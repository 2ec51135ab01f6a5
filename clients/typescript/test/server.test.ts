import { test } from "node:test";
import assert from "node:assert/strict";
import { encode, getToken } from "next-auth/jwt";
import { RefreshSingleFlight, WardenClient, WardenHttpError } from "../src/index.js";
import { getWardenToken } from "../src/server.js";
import { refreshSessionCookie } from "../src/middleware.js";
import { fakeWarden, json, signedIn } from "./fake.js";

const secret = "test-secret-0123456789-0123456789";
const COOKIE = "next-auth.session-token";

async function cookieOf(token: Record<string, unknown>): Promise<string> {
  return encode({ token, secret });
}

/** A request as Next's middleware sees it: Headers and RequestCookies (getAll). */
function request(cookies: Record<string, string>, headers: Record<string, string> = {}) {
  return {
    headers: new Headers(headers),
    cookies: { getAll: () => Object.entries(cookies).map(([name, value]) => ({ name, value })) },
  };
}

const alice = { sub: "alice", email: "alice@example.com", name: "Alice", role: "USER", roles: ["USER"], accessToken: "at-1", refreshToken: "rt-1" };

test("getWardenToken reads the token from NextAuth's cookie, with the end user's address", async () => {
  const value = await cookieOf({ ...alice, expiresAt: 2_000 });
  const access = await getWardenToken(
    { cookies: { [COOKIE]: value }, headers: { "x-forwarded-for": "203.0.113.7" } },
    { secret, now: () => 1_000_000 },
  );
  assert.deepEqual(access, {
    accessToken: "at-1",
    expiresAt: 2_000,
    clientIp: "203.0.113.7",
    user: { id: "alice", email: "alice@example.com", name: "Alice", role: "USER", roles: ["USER"] },
  });
  assert.ok(!JSON.stringify(access).includes("rt-1"), "the refresh token is not handed out");
  // Nobody signed in, a cookie made with another secret, or only a bearer header: null.
  assert.equal(await getWardenToken({ cookies: {} }, { secret }), null);
  assert.equal(await getWardenToken({ cookies: { [COOKIE]: value } }, { secret: "another-secret-0123456789-01234567" }), null);
  assert.equal(await getWardenToken({ cookies: {}, headers: { authorization: `Bearer ${value}` } }, { secret }), null);
});

test("getWardenToken never refreshes: an expired access token is signalled, a refused one is an error", async () => {
  const expired = await cookieOf({ ...alice, expiresAt: 900 });
  const access = await getWardenToken({ cookies: { [COOKIE]: expired } }, { secret, now: () => 1_000_000 });
  assert.equal(access?.accessToken, undefined);
  assert.equal(access?.error, "AccessTokenExpired");
  const ended = await cookieOf({ ...alice, accessToken: undefined, error: "RefreshAccessTokenError", expiresAt: 2_000 });
  const e = await getWardenToken({ cookies: new Map([[COOKIE, ended]]) }, { secret, now: () => 1_000_000 });
  assert.deepEqual([e?.accessToken, e?.error], [undefined, "RefreshAccessTokenError"]);
});

test("refreshSessionCookie refreshes within the margin, once for concurrent requests, and writes the new cookie", async () => {
  let release: () => void = () => {};
  const gate = new Promise<void>((ok) => (release = ok));
  const fake = await fakeWarden(async (a, res) => {
    assert.equal(a.path, "/v1/auth/refresh");
    assert.deepEqual(a.body, { refresh_token: "rt-1" });
    await gate;
    json(res, 200, signedIn({ access_token: "at-2", refresh_token: "rt-2", expires_at: 1_900, role: "ADMIN", roles: ["ADMIN"] }));
  });
  const client = new WardenClient({ url: fake.url, clientKey: "wk" });
  const flight = new RefreshSingleFlight();
  const value = await cookieOf({ ...alice, expiresAt: 1_030 });
  const req = request({ [COOKIE]: value, other: "a|b" }, { "x-forwarded-for": "203.0.113.7" });
  // Outside the margin: nothing to do.
  assert.equal(await refreshSessionCookie(req, { client, flight, secret, refreshMarginSeconds: 20, now: () => 1_000_000 }), null);
  assert.equal(fake.asked.length, 0);
  // Inside it, five requests at once: one refresh, the same new cookie for all.
  const pending = Array.from({ length: 5 }, () =>
    refreshSessionCookie(req, { client, flight, secret, refreshMarginSeconds: 60, now: () => 1_000_000 }),
  );
  await new Promise((ok) => setTimeout(ok, 30));
  release();
  const results = await Promise.all(pending);
  assert.equal(fake.asked.length, 1);
  assert.equal(fake.asked[0]?.headers["x-warden-client-ip"], "203.0.113.7");
  const r = results[0];
  assert.ok(r);
  assert.equal(r.cookie.name, COOKIE);
  assert.deepEqual(r.cookie.options, { httpOnly: true, sameSite: "lax", path: "/", secure: false, maxAge: 30 * 24 * 60 * 60 });
  const decoded = await getToken({ req: { cookies: { [COOKIE]: r.cookie.value }, headers: {} } as never, secret });
  assert.equal(decoded?.accessToken, "at-2");
  assert.equal(decoded?.refreshToken, "rt-2");
  assert.equal(decoded?.role, "ADMIN");
  // The page rendered for this request sees the new cookie; the other cookies are kept.
  assert.equal(r.requestCookie, `${COOKIE}=${r.cookie.value}; other=a%7Cb`);
  await fake.close();
});

test("refreshSessionCookie: nobody signed in, no secret or warden down is no cookie; a refusal is written", async () => {
  let status = 503;
  const fake = await fakeWarden((_a, res) => json(res, status, { error: status === 503 ? "unavailable" : "invalid_grant", message: "x" }));
  const client = new WardenClient({ url: fake.url });
  const value = await cookieOf({ ...alice, expiresAt: 1_010 });
  const options = { client, secret, refreshMarginSeconds: 60, now: () => 1_000_000, flight: new RefreshSingleFlight() };
  assert.equal(await refreshSessionCookie(request({}), options), null);
  assert.equal(await refreshSessionCookie(request({ [COOKIE]: value }), { ...options, secret: "wrong-secret-0123456789-0123456789" }), null);
  assert.equal(await refreshSessionCookie(request({ [COOKIE]: value }), options), null, "warden unreachable: the cookie stays");
  status = 400;
  const r = await refreshSessionCookie(request({ [COOKIE]: value }), options);
  const decoded = await getToken({ req: { cookies: { [COOKIE]: r?.cookie.value }, headers: {} } as never, secret });
  assert.equal(decoded?.error, "RefreshAccessTokenError");
  assert.equal(decoded?.accessToken, undefined);
  await fake.close();
});

test("an error answer's reason reaches the caller as data, beside its code", async () => {
  const fake = await fakeWarden((_a, res) =>
    json(res, 409, { error: "conflict", reason: "email_taken", message: "email a@example.com is already taken" }),
  );
  const client = new WardenClient({ url: fake.url });
  await assert.rejects(client.login("a@example.com", "pw-123456789"), (e: unknown) => {
    assert.ok(e instanceof WardenHttpError);
    assert.equal(e.status, 409);
    assert.equal(e.code, "conflict");
    assert.equal(e.reason, "email_taken");
    return true;
  });
  await fake.close();
});
