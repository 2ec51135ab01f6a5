// Auth.js v5 (next-auth@5): the pieces in `@warden/next/authjs` and `@warden/next/authjs/middleware`,
// checked against the real @auth/core that next-auth@5 runs (installed here as `authjs-core`):
// its types (the config compiles), its cookie codec (salt = the cookie's name) and its
// request handling (`Auth()`: sign-in, the session endpoint, rotation only where marked).

import { test } from "node:test";
import assert from "node:assert/strict";
import { Auth, type AuthConfig } from "authjs-core";
import { decode, encode } from "authjs-core/jwt";
import { RefreshSingleFlight, WardenClient } from "../src/index.js";
import { createGetWardenToken, wardenCredentials, wardenHandlers, wardenJwt, wardenSession } from "../src/authjs.js";
import { refreshSessionCookie } from "../src/authjs-middleware.js";
import { fakeWarden, json, signedIn } from "./fake.js";

const secret = "test-secret-0123456789-0123456789";
const COOKIE = "authjs.session-token";
const alice = { sub: "alice", email: "alice@example.com", name: "Alice", role: "USER", roles: ["USER"], accessToken: "at-1", refreshToken: "rt-1" };
const getWardenToken = createGetWardenToken({ decode, secret, now: () => 1_000_000 });

/** The config an app writes: it must compile against Auth.js's own types. */
function config(client: WardenClient, flight = new RefreshSingleFlight()): AuthConfig {
  return {
    basePath: "/api/auth",
    secret,
    trustHost: true,
    providers: [wardenCredentials({ client })],
    callbacks: { jwt: wardenJwt({ client, flight, refreshMarginSeconds: 60 }), session: wardenSession() },
  };
}

function request(cookies: Record<string, string>, headers: Record<string, string> = {}) {
  return {
    headers: new Headers(headers),
    cookies: { getAll: () => Object.entries(cookies).map(([name, value]) => ({ name, value })) },
  };
}

/** The cookies a response sets, name -> value. */
function setCookies(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of res.headers.getSetCookie()) {
    const [pair] = c.split(";");
    const at = pair!.indexOf("=");
    out.set(pair!.slice(0, at), pair!.slice(at + 1));
  }
  return out;
}

test("Auth.js v5 round trip: sign-in through warden, the session JSON has no token, the server reads it from the cookie", async () => {
  const fake = await fakeWarden((a, res) => {
    const { password } = a.body as { password: string };
    if (password === "pw") return json(res, 200, signedIn({ expires_at: Math.floor(Date.now() / 1000) + 900 }));
    json(res, 401, { error: "invalid_credentials", message: "invalid email or password" });
  });
  const client = new WardenClient({ url: fake.url, clientKey: "wk_test_key" });
  const cfg = config(client);
  const base = "http://127.0.0.1:3000/api/auth";
  const csrf = await Auth(new Request(`${base}/csrf`), cfg);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const csrfCookie = [...setCookies(csrf)].map(([k, v]) => `${k}=${v}`).join("; ");
  const signIn = (password: string) =>
    Auth(
      new Request(`${base}/callback/credentials`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie, "x-forwarded-for": "203.0.113.7" },
        body: new URLSearchParams({ csrfToken, email: "alice@example.com", password }),
      }),
      cfg,
    );
  const refused = await signIn("wrong");
  assert.equal(setCookies(refused).has(COOKIE), false, "a refused sign-in sets no session");
  const ok = await signIn("pw");
  const cookie = setCookies(ok).get(COOKIE);
  assert.ok(cookie, `a session cookie: ${[...setCookies(ok).keys()]}`);
  // warden got the client key and the end user's address from the sign-in request.
  const login = fake.asked.at(-1)!;
  assert.equal(login.path, "/v1/auth/login");
  assert.equal(login.headers["x-warden-client-key"], "wk_test_key");
  assert.equal(login.headers["x-warden-client-ip"], "203.0.113.7");

  // The session the browser reads: the listed fields, no token anywhere.
  const sessionRes = await Auth(new Request(`${base}/session`, { headers: { cookie: `${COOKIE}=${cookie}` } }), cfg);
  const text = await sessionRes.text();
  const session = JSON.parse(text);
  assert.deepEqual(Object.keys(session).sort(), ["expires", "expiresAt", "user"]);
  assert.deepEqual(session.user, { id: "alice", name: "Alice", email: "alice@example.com", role: "USER", roles: ["USER"] });
  assert.ok(!text.includes("at-1") && !text.includes("rt-1"), text);

  // The server reads the token from the cookie (v5's salt), never from the session.
  const access = await createGetWardenToken({ decode, secret })({ cookies: { [COOKIE]: cookie }, headers: { "x-forwarded-for": "198.51.100.4" } });
  assert.equal(access?.accessToken, "at-1");
  assert.equal(access?.clientIp, "198.51.100.4");
  assert.equal(access?.user.role, "USER");
  await fake.close();
});

test("Auth.js v5: the session endpoint rotates only inside wardenHandlers, once for concurrent requests", async () => {
  let refreshes = 0;
  const fake = await fakeWarden((a, res) => {
    assert.equal(a.path, "/v1/auth/refresh");
    refreshes += 1;
    json(res, 200, signedIn({ access_token: "at-2", token: "at-2", refresh_token: "rt-2", expires_at: Math.floor(Date.now() / 1000) + 900 }));
  });
  const cfg = config(new WardenClient({ url: fake.url }));
  // Within the margin (60 s): due.
  const cookie = await encode({ token: { ...alice, expiresAt: Math.floor(Date.now() / 1000) + 30 }, secret, salt: COOKIE });
  const sessionRequest = () => new Request("http://127.0.0.1:3000/api/auth/session", { headers: { cookie: `${COOKIE}=${cookie}` } });

  // What `auth()` does in a Server Component, a server action or a route handler: Auth() with
  // no mark. It must not rotate (the cookie it would set is dropped).
  const unmarked = await Auth(sessionRequest(), cfg);
  await unmarked.text();
  assert.equal(refreshes, 0, "no rotation outside the route handlers");
  const kept = await decode({ token: setCookies(unmarked).get(COOKIE), secret, salt: COOKIE });
  assert.equal(kept?.refreshToken, "rt-1");

  // The route handlers: the answer sets the cookie, so the jwt callback rotates, once.
  const { GET } = wardenHandlers({ GET: (req: Request) => Auth(req, cfg), POST: (req: Request) => Auth(req, cfg) });
  const answers = await Promise.all(Array.from({ length: 5 }, () => GET(sessionRequest())));
  assert.equal(refreshes, 1, "one refresh for five concurrent session reads");
  for (const res of answers) {
    const text = await res.text();
    assert.ok(!text.includes("at-2") && !text.includes("rt-2"), text);
    const stored = await decode({ token: setCookies(res).get(COOKIE), secret, salt: COOKIE });
    assert.equal(stored?.refreshToken, "rt-2");
    assert.equal(stored?.accessToken, "at-2");
  }
  await fake.close();
});

test("createGetWardenToken: v5's cookie and salt, the secure name, chunks; nothing else decodes; never refreshes", async () => {
  const value = await encode({ token: { ...alice, expiresAt: 2_000 }, secret, salt: COOKIE });
  assert.deepEqual(await getWardenToken({ cookies: { [COOKIE]: value }, headers: { "x-forwarded-for": "203.0.113.7" } }), {
    accessToken: "at-1",
    expiresAt: 2_000,
    clientIp: "203.0.113.7",
    user: { id: "alice", email: "alice@example.com", name: "Alice", role: "USER", roles: ["USER"] },
  });
  const secure = await encode({ token: { ...alice, expiresAt: 2_000 }, secret, salt: `__Secure-${COOKIE}` });
  assert.equal((await getWardenToken({ cookies: new Map([[`__Secure-${COOKIE}`, secure]]) }))?.accessToken, "at-1");
  // A split cookie (name.0, name.1) is joined in order.
  const chunks = { [`${COOKIE}.1`]: value.slice(100), [`${COOKIE}.0`]: value.slice(0, 100) };
  assert.equal((await getWardenToken({ cookies: chunks }))?.accessToken, "at-1");
  // Salted with another name (v4's cookie name), another secret, garbage, nothing: null.
  const otherSalt = await encode({ token: alice, secret, salt: "next-auth.session-token" });
  assert.equal(await getWardenToken({ cookies: { [COOKIE]: otherSalt } }), null);
  const otherSecret = await encode({ token: alice, secret: "another-secret-0123456789-01234567", salt: COOKIE });
  assert.equal(await getWardenToken({ cookies: { [COOKIE]: otherSecret } }), null);
  assert.equal(await getWardenToken({ cookies: { [COOKIE]: "garbage" } }), null);
  assert.equal(await getWardenToken({ cookies: {} }), null);
  // Expired: signalled, no token (reading never refreshes); refused: the error.
  const expired = await encode({ token: { ...alice, expiresAt: 999 }, secret, salt: COOKIE });
  const e = await getWardenToken({ cookies: { [COOKIE]: expired } });
  assert.equal(e?.error, "AccessTokenExpired");
  assert.equal(e?.accessToken, undefined);
  const ended = await encode({ token: { ...alice, accessToken: undefined, error: "RefreshAccessTokenError" }, secret, salt: COOKIE });
  assert.equal((await getWardenToken({ cookies: { [COOKIE]: ended } }))?.error, "RefreshAccessTokenError");
});

test("wardenJwt (v5) keeps warden's tokens on sign-in and never rotates outside the handlers, even expired", async () => {
  const fake = await fakeWarden((_a, res) => json(res, 500, { error: "internal", message: "must not be called" }));
  const jwt = wardenJwt({ client: new WardenClient({ url: fake.url }), refreshMarginSeconds: 60, now: () => 1_000_000 });
  const token = await jwt({ token: { email: "alice@example.com" }, user: signedIn(), account: { type: "credentials" }, trigger: "signIn" });
  assert.equal(token.accessToken, "at-1");
  assert.equal(token.refreshToken, "rt-1");
  const expired = { ...alice, expiresAt: 10 };
  assert.equal(await jwt({ token: expired }), expired);
  assert.equal(fake.asked.length, 0);
  // The session: exactly what a UI needs, even if the token carries more.
  const session = await wardenSession()({ session: { user: { name: "A", email: "a" }, expires: new Date(0) }, token: { ...alice, picture: "p", expiresAt: 5 } });
  assert.deepEqual(session, {
    user: { id: "alice", name: "Alice", email: "alice@example.com", role: "USER", roles: ["USER"] },
    expires: "1970-01-01T00:00:00.000Z",
    expiresAt: 5,
  });
  await fake.close();
});

test("refreshSessionCookie (v5): refreshes within the margin, once for concurrent requests, writes v5's cookie", async () => {
  let refreshes = 0;
  let refuse = false;
  const fake = await fakeWarden((a, res) => {
    refreshes += 1;
    if (refuse) return json(res, 400, { error: "invalid_grant", message: "reuse" });
    json(res, 200, signedIn({ access_token: "at-2", token: "at-2", refresh_token: "rt-2", expires_at: 1_900 }));
  });
  const client = new WardenClient({ url: fake.url });
  let nowMs = 1_000_000;
  const options = { encode, decode, secret, client, refreshMarginSeconds: 60, now: () => nowMs, flight: new RefreshSingleFlight(10_000, 100, () => nowMs) };
  const value = await encode({ token: { ...alice, expiresAt: 1_120 }, secret, salt: COOKIE });
  const req = request({ [COOKIE]: value, other: "x y" }, { "x-forwarded-for": "203.0.113.7" });
  assert.equal(await refreshSessionCookie(req, options), null, "outside the margin");
  assert.equal(await refreshSessionCookie(request({}), options), null, "nobody signed in");
  nowMs = 1_061_000;
  const all = await Promise.all(Array.from({ length: 5 }, () => refreshSessionCookie(req, options)));
  assert.equal(refreshes, 1);
  const refreshed = all[0]!;
  assert.equal(refreshed.cookie.name, COOKIE);
  assert.deepEqual(refreshed.cookie.options, { httpOnly: true, sameSite: "lax", path: "/", secure: false, maxAge: 2_592_000 });
  const stored = await decode({ token: refreshed.cookie.value, secret, salt: COOKIE });
  assert.equal(stored?.refreshToken, "rt-2");
  assert.equal(stored?.accessToken, "at-2");
  assert.equal(refreshed.requestCookie, `${COOKIE}=${refreshed.cookie.value}; other=x%20y`);
  // The page rendered for the same request reads the new token.
  const access = await createGetWardenToken({ decode, secret, now: () => nowMs })({ cookies: { [COOKIE]: refreshed.cookie.value } });
  assert.equal(access?.accessToken, "at-2");
  // A refusal is written (the session is over); warden down writes nothing.
  refuse = true;
  nowMs = 1_900_000;
  const ended = await refreshSessionCookie(request({ [COOKIE]: refreshed.cookie.value }), options);
  assert.equal(ended?.token.error, "RefreshAccessTokenError");
  await fake.close();
  assert.equal(await refreshSessionCookie(request({ [COOKIE]: refreshed.cookie.value }), { ...options, flight: new RefreshSingleFlight() }), null);
});
