// End-to-end: the Auth.js v5 (next-auth@5) app in headless Chromium against a real warden.
//
// Starts warden (a fresh database in a temp dir, the shipped policies, 6 s access tokens and
// no clock leeway) and the built Next.js app on loopback ports, then drives Chromium through
// sign-in (a server action calling Auth.js's signIn), a server-rendered page that asks warden
// with the token read on the server, a server action deciding the same way, server-rendered
// navigation across several refreshes (no reuse revocation, session still active), the
// session JSON the browser reads (no token in it), and two tabs refreshing at once. The app
// has a service client key (WARDEN_CLIENT_KEY), so it vouches for each end user's address.
// Everything talks only to 127.0.0.1 and stops by itself (a watchdog ends it after 3 minutes).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { freePort, ready, startServer } from "../../e2e-harness.mjs";

const ROOT = resolve(import.meta.dirname, "../../..");
const WARDEN = process.env.WARDEN_BIN ?? join(ROOT, "target/debug/warden");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ADMIN_PASSWORD = "admin-password-123";
const ALICE_PASSWORD = "alice-password-123";
const TOKEN_TTL = 6;

const children = [];
let dir;
let wardenUrl;
let appUrl;
let browser;
let clientKey;



function warden(...args) {
  return execFileSync(WARDEN, ["--db", join(dir, "warden.db"), "--policies", join(dir, "policies"), ...args], {
    encoding: "utf8",
    input: args.includes("--password-stdin") ? `${ALICE_PASSWORD}\n` : undefined,
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "warden-e2e-"));
  cpSync(join(ROOT, "policies"), join(dir, "policies"), { recursive: true });
  const wardenEnv = {
    ...process.env,
    WARDEN_ADMIN_PASSWORD: ADMIN_PASSWORD,
    WARDEN_ACCESS_TOKEN_TTL: String(TOKEN_TTL),
    WARDEN_LEEWAY: "0",
    WARDEN_WATCH_POLICIES: "false",
  };
  const [, address] = await startServer(
    children,
    WARDEN,
    ["serve", "--listen", "127.0.0.1:0", "--db", join(dir, "warden.db"), "--policies", join(dir, "policies")],
    { env: wardenEnv },
    /warden listening on (http:\/\/[\d.:]+)/,
  );
  wardenUrl = address;
  warden("user", "add", "--email", "alice@example.com", "--name", "Alice", "--role", "USER", "--password-stdin");
  // The app's service client key: with it, @warden/next sends the end user's address.
  clientKey = JSON.parse(warden("client", "add", "nextjs", "--json")).key;
  assert.ok(clientKey, "a client key");

  const port = await freePort();
  appUrl = `http://127.0.0.1:${port}`;
  await startServer(
    children,
    join(import.meta.dirname, "../node_modules/.bin/next"),
    ["start", "-H", "127.0.0.1", "-p", String(port)],
    {
      cwd: resolve(import.meta.dirname, ".."),
      env: {
        ...process.env,
        // A fresh machine has no network: telemetry must not be attempted at all.
        NEXT_TELEMETRY_DISABLED: "1",
        WARDEN_URL: wardenUrl,
        AUTH_URL: appUrl,
        AUTH_TRUST_HOST: "true",
        AUTH_SECRET: "e2e-secret-not-for-production-use-0123456789",
        WARDEN_CLIENT_KEY: clientKey,
        // The app has no session poll: only middleware (pages, server actions) and Auth.js's
        // route (/api/auth/session) refresh. A Server Component that rotated the refresh token
        // without storing it would be caught: the next request presents the old token after
        // warden's grace window (10 s), warden sees reuse and revokes the session.
        WARDEN_REFRESH_MARGIN_SECONDS: "3",
      },
    },
    /Ready|started server|Local:/,
  );
  // "Ready" is printed before the routes are loaded: on a fresh machine the first requests
  // (the sign-in page, NextAuth's routes, the first sign-in) were cold and the first tests
  // timed out. Wait until the sign-in route answers, then sign in once over HTTP so every
  // route of a sign-in is warm before Chromium starts.
  await ready(`${appUrl}/api/auth/providers`, (body) => body.includes("credentials"));
  await ready(`${appUrl}/signin`, (body) => body.includes("Sign in"));
  await warmUpSignIn("alice@example.com", ALICE_PASSWORD);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  // The first page of a fresh Chromium profile (font cache, first paint) is slow once.
  const page = await browser.newPage();
  await page.goto(`${appUrl}/signin`);
  await page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: 60_000 });
  await page.close();
});

// Bounded: whatever hangs, the run ends (the children are killed in `after`).
const watchdog = setTimeout(() => {
  console.error("e2e: watchdog: over 3 minutes, giving up");
  for (const child of children) child.kill("SIGKILL");
  process.exit(1);
}, 180_000);
watchdog.unref();


/**
 * A whole Auth.js credentials sign-in over HTTP (`headers` on every request): the session
 * NextAuth then answers, and the cookie header that carries it.
 */
async function credentialsSignIn(email, password, headers = {}) {
  const cookies = new Map();
  const keep = (res) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const at = pair.indexOf("=");
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
  };
  const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  const csrf = await fetch(`${appUrl}/api/auth/csrf`, { headers });
  keep(csrf);
  const { csrfToken } = await csrf.json();
  const callback = await fetch(`${appUrl}/api/auth/callback/credentials`, {
    method: "POST",
    redirect: "manual",
    headers: { ...headers, "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, email, password, json: "true" }),
  });
  keep(callback);
  const answer = await callback.text();
  const session = await (await fetch(`${appUrl}/api/auth/session`, { headers: { ...headers, cookie: cookie() } })).json();
  return { status: callback.status, answer, session, cookie: cookie() };
}

/** A whole Auth.js credentials sign-in over HTTP, then the signed-in page. */
async function warmUpSignIn(email, password) {
  const { status, answer, session, cookie } = await credentialsSignIn(email, password);
  assert.ok([200, 302].includes(status), `warm-up sign-in answered ${status}: ${answer}`);
  assert.equal(session?.user?.email, email, `warm-up sign-in: ${JSON.stringify(session)}`);
  const home = await fetch(appUrl, { headers: { cookie } });
  assert.equal(home.status, 200);
  assert.match(await home.text(), /May delete r1/);
}

after(async () => {
  await browser?.close();
  for (const child of children) child.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(page, email, password) {
  await page.goto(`${appUrl}/signin`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

let clicks = 0;

/** Delete a fresh resource id (so every answer differs) and return the message shown. */
async function deleteAndRead(page) {
  clicks += 1;
  const id = `r${clicks}`;
  await page.evaluate(() => {
    const old = document.querySelector("[data-testid=result]");
    if (old) old.textContent = "";
  });
  await page.getByLabel("Resource id").fill(id);
  await page.getByRole("button", { name: "Delete resource" }).click();
  await page.waitForFunction(() => document.querySelector("[data-testid=result]")?.textContent, null, { timeout: 15_000 });
  const text = (await page.getByTestId("result").textContent()) ?? "";
  return text.replace(` ${id}`, " ID");
}


/** The session JSON as the browser reads it. */
async function sessionJson(page) {
  return page.evaluate(async () => {
    const res = await fetch("/api/auth/session", { cache: "no-store" });
    return { status: res.status, text: await res.text() };
  });
}

function assertNoToken(text) {
  const session = JSON.parse(text);
  for (const key of ["accessToken", "refreshToken", "access_token", "refresh_token", "token"]) {
    assert.equal(session[key], undefined, `${key} in ${text}`);
  }
  // No JWT (warden's access tokens start with a base64url JSON header), no refresh token, under
  // any name; and only what a UI needs.
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/, text);
  for (const key of Object.keys(session)) assert.ok(["user", "expires", "expiresAt", "error"].includes(key), `${key} in ${text}`);
  for (const key of Object.keys(session.user ?? {})) {
    assert.ok(["id", "name", "email", "role", "roles"].includes(key), `user.${key} in ${text}`);
  }
  return session;
}

function reuseRevocations() {
  return JSON.parse(warden("audit", "--json", "--limit", "1000")).filter(
    (row) => row.detail?.reason === "refresh_token_reuse",
  );
}

/** The home page, server-rendered: its role and warden's decision (asked with the server-side token). */
async function home(page) {
  await page.goto(appUrl);
  await page.getByTestId("role").waitFor({ timeout: 15_000 });
  return {
    role: await page.getByTestId("role").textContent(),
    decision: (await page.getByTestId("decision").count()) ? await page.getByTestId("decision").textContent() : null,
    error: (await page.getByTestId("session-error").count()) ? await page.getByTestId("session-error").textContent() : null,
  };
}

test("sign-in through warden; the server-rendered page and the server action decide with the server-side token", async () => {
  const page = await browser.newPage();
  await signIn(page, "admin@localhost", ADMIN_PASSWORD);
  await page.getByTestId("role").waitFor();
  assert.deepEqual(await home(page), { role: "Role: ADMIN", decision: "May delete r1: allowed", error: null });
  assert.match(await deleteAndRead(page), /^Deleted resource ID \(allowed by app\.admin-delete-user-resource\)/);
  await page.close();

  const alice = await browser.newPage();
  await signIn(alice, "alice@example.com", ALICE_PASSWORD);
  await alice.getByTestId("role").waitFor();
  assert.deepEqual(await home(alice), { role: "Role: USER", decision: "May delete r1: denied", error: null });
  assert.equal(await deleteAndRead(alice), "Denied: you may not delete resource ID.");
  await alice.close();

  const wrong = await browser.newPage();
  await signIn(wrong, "alice@example.com", "not-her-password");
  await wrong.getByTestId("signin-error").waitFor();
  assert.equal(await wrong.getByTestId("signin-error").textContent(), "Invalid email or password.");
  await wrong.close();
});

test("server-rendered pages across several refreshes: still signed in, no reuse, session active, no token in the session JSON", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "alice@example.com", ALICE_PASSWORD);
  await page.getByTestId("role").waitFor();
  const first = assertNoToken((await sessionJson(page)).text);
  assert.equal(first.user.role, "USER");
  assert.equal(first.user.id, "alice");
  const started = JSON.parse(warden("session", "list", "--user", "alice", "--active", "--json"));
  const mine = started.sort((a, b) => b.created_at - a.created_at)[0];

  // Four access-token lives of full page loads (server-rendered: auth() and a decision with
  // the token read on the server), with no session read in between.
  const until = Date.now() + (TOKEN_TTL * 4 + 1) * 1000;
  let loads = 0;
  while (Date.now() < until) {
    assert.deepEqual(await home(page), { role: "Role: USER", decision: "May delete r1: denied", error: null });
    loads += 1;
    await page.waitForTimeout(700);
  }
  assert.ok(loads >= 8, `${loads} page loads`);
  // The server action still decides with a live token (a dead one would say the session ended).
  assert.equal(await deleteAndRead(page), "Denied: you may not delete resource ID.");

  const now = JSON.parse(warden("session", "list", "--user", "alice", "--active", "--json"));
  const session = now.find((s) => s.id === mine.id);
  assert.ok(session, `the session is still active: ${JSON.stringify(now)}`);
  assert.equal(session.revoked_at ?? null, null);
  assert.ok(session.last_used_at >= session.created_at + TOKEN_TTL * 2, "rotated across several token lives");
  assert.deepEqual(reuseRevocations(), [], "no refresh-token reuse in the audit");

  const last = assertNoToken((await sessionJson(page)).text);
  assert.equal(last.error, undefined, "no RefreshAccessTokenError");
  assert.ok(last.expiresAt > first.expiresAt, "the access token was refreshed");
  await context.close();
});

test("two tabs refreshing at once (session reads, page fetches, a reload) end in one live session, no reuse", async () => {
  const context = await browser.newContext();
  const one = await context.newPage();
  await signIn(one, "alice@example.com", ALICE_PASSWORD);
  await one.getByTestId("role").waitFor();
  const two = await context.newPage();
  await two.goto(appUrl);
  await two.getByTestId("decision").waitFor();
  const before = JSON.parse((await sessionJson(one)).text);
  const mine = JSON.parse(warden("session", "list", "--user", "alice", "--active", "--json")).sort(
    (a, b) => b.created_at - a.created_at,
  )[0];
  for (let round = 0; round < 2; round++) {
    // Let the access token come within the refresh margin (3 s), then everything at once:
    // Auth.js's route (session reads) and middleware (page fetches, the other tab's reload,
    // then its server-rendered page), all presenting the same refresh token.
    await one.waitForTimeout((TOKEN_TTL - 2) * 1000);
    const results = await Promise.all([
      sessionJson(one),
      one.evaluate(() => fetch("/", { cache: "no-store" }).then((r) => r.status)),
      two.reload().then((r) => r?.status()),
      one.evaluate(() => fetch("/", { cache: "no-store" }).then((r) => r.status)),
      sessionJson(one),
    ]);
    for (const r of results) {
      if (typeof r === "number") assert.equal(r, 200);
      else assert.equal(assertNoToken(r.text).error, undefined, r.text);
    }
  }
  const after = assertNoToken((await sessionJson(one)).text);
  assert.ok(after.expiresAt > before.expiresAt, "the access token was refreshed");
  assert.deepEqual(await home(two), { role: "Role: USER", decision: "May delete r1: denied", error: null });
  assert.deepEqual(await home(one), { role: "Role: USER", decision: "May delete r1: denied", error: null });
  const active = JSON.parse(warden("session", "list", "--user", "alice", "--active", "--json"));
  assert.ok(active.some((s) => s.id === mine.id), `this browser's session is live: ${JSON.stringify(active)}`);
  assert.equal(active.filter((s) => s.created_at >= mine.created_at).length, 1, "one session for this browser");
  assert.deepEqual(reuseRevocations(), [], "no refresh-token reuse in the audit");
  await context.close();
});
