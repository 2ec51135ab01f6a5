// End-to-end: the Next.js app in headless Chromium against a real warden.
//
// Starts warden (a fresh database in a temp dir, the shipped policies, 6 s access tokens and
// no clock leeway) and the built Next.js app on loopback ports, then drives Chromium through
// sign-in, allowed and denied server actions, the list page filtered by warden's query plan,
// a silent token refresh, revocation, server-rendered navigation across several refreshes
// (no reuse revocation), concurrent refreshes from one browser, and the session JSON the
// browser reads (no token in it). The app has a service client key (WARDEN_CLIENT_KEY), so
// it vouches for each end user's address.
// Everything talks only to 127.0.0.1 and stops by itself.

import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, cpSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import { freePort, ready, startServer, tails } from "../../e2e-harness.mjs";

// A failing test shows what warden and the app printed last (a CI log is all there is).
let failed = false;
function test(name, fn) {
  return nodeTest(name, async (t) => {
    try {
      await fn(t);
    } catch (e) {
      failed = true;
      throw e;
    }
  });
}

const ROOT = resolve(import.meta.dirname, "../../..");
const WARDEN = process.env.WARDEN_BIN ?? join(ROOT, "target/debug/warden");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ADMIN_PASSWORD = "admin-password-123";
const ALICE_PASSWORD = "alice-password-123";
const TOKEN_TTL = 6;
/** What alice may view: her own documents and her team's (USER). */
const ALICE_DOCUMENTS = ["Alice's notes", "Alice's plan", "Team roadmap"];

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
        NEXTAUTH_URL: appUrl,
        NEXTAUTH_SECRET: "e2e-secret-not-for-production-use-0123456789",
        WARDEN_CLIENT_KEY: clientKey,
        WARDEN_REFRESH_MARGIN_SECONDS: "3",
        // Longer than warden's refresh grace (10 s) and three access-token lives: the pages
        // are rendered without the browser refreshing the session in between, so a Server
        // Component that rotated the refresh token without storing it would be caught (the
        // next request presents the old token after the grace window: reuse, signed out).
        SESSION_REFETCH_SECONDS: "30",
      },
    },
    /Ready|started server|Local:/,
  );
  // "Ready" is printed before the routes are loaded: on a fresh machine the first requests
  // (the sign-in page, NextAuth's routes, the first sign-in) were cold and the first tests
  // timed out. Wait until the sign-in route answers, then sign in once over HTTP so every
  // route of a sign-in is warm before Chromium starts.
  await ready(`${appUrl}/api/auth/providers`, (body) => body.includes("credentials"));
  await ready(appUrl, (body) => body.includes("Sign in"));
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
  await page.goto(appUrl);
  await page.getByRole("button", { name: "Sign in" }).waitFor({ timeout: 60_000 });
  await page.close();
});


/**
 * A whole NextAuth credentials sign-in over HTTP (`headers` on every request): the session
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

/**
 * A sign-in from the end user at `forwardedFor` (the address a reverse proxy in front of the
 * app would add): whether it signed in.
 */
async function signInFrom(forwardedFor, email, password) {
  const { session } = await credentialsSignIn(email, password, { "x-forwarded-for": forwardedFor });
  return session?.user?.email === email;
}

/** A whole NextAuth credentials sign-in over HTTP, then the signed-in page. */
async function warmUpSignIn(email, password) {
  const { status, answer, session, cookie } = await credentialsSignIn(email, password);
  assert.ok([200, 302].includes(status), `warm-up sign-in answered ${status}: ${answer}`);
  assert.equal(session?.user?.email, email, `warm-up sign-in: ${JSON.stringify(session)}`);
  const home = await fetch(appUrl, { headers: { cookie } });
  assert.equal(home.status, 200);
  await home.text();
}

after(async () => {
  if (failed) process.stderr.write(`${tails(children)}\n`);
  await browser?.close();
  for (const child of children) child.kill("SIGTERM");
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(page, email, password) {
  await page.goto(appUrl);
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

test("an ADMIN signs in and deletes: allowed", async () => {
  const page = await browser.newPage();
  await signIn(page, "admin@localhost", ADMIN_PASSWORD);
  await page.getByTestId("role").waitFor();
  assert.equal(await page.getByTestId("role").textContent(), "Role: ADMIN");
  const text = await deleteAndRead(page);
  assert.match(text, /^Deleted resource ID \(allowed by app\.admin-delete-user-resource\)/);
  await page.close();
});

test("a plain user is denied with a message", async () => {
  const page = await browser.newPage();
  await signIn(page, "alice@example.com", ALICE_PASSWORD);
  await page.getByTestId("role").waitFor();
  assert.equal(await page.getByTestId("role").textContent(), "Role: USER");
  assert.equal(await deleteAndRead(page), "Denied: you may not delete resource ID.");
  await page.close();
});

/**
 * What the list page must say about how it filtered: warden's plan for the team rule
 * (`principal in resource.team`) is exact, so the rows come from the Prisma query filtered by
 * the plan, never from asking row by row.
 */
function expectedHow(user) {
  const p = JSON.parse(warden("decide", "--user", user, "--action", "viewDocument", "--plan", "--resource-type", "Document", "--json"));
  assert.deepEqual(p.unsupported, [], `the ${user} plan is exact`);
  assert.equal(p.kind, "conditional");
  return "filtered by a conditional plan";
}

test("the list page shows the documents warden allows: own ones and the team's (a relationship rule), through Prisma", async () => {
  const titles = async (page) => {
    await page.goto(`${appUrl}/documents`);
    // The list may be empty (hidden): wait for the line saying how it was filtered.
    await page.getByTestId("plan-kind").waitFor();
    return {
      how: await page.getByTestId("plan-kind").textContent(),
      titles: await page.getByTestId("documents").locator("li").allTextContents(),
    };
  };
  const alice = await browser.newPage();
  await signIn(alice, "alice@example.com", ALICE_PASSWORD);
  await alice.getByTestId("role").waitFor();
  // Her own two, and the USER team's roadmap (she is a USER); not the ADMINs' runbook, not
  // the FINANCE team's forecast, not bob's draft.
  assert.deepEqual(await titles(alice), { how: expectedHow("alice"), titles: ALICE_DOCUMENTS });
  await alice.close();
  const admin = await browser.newPage();
  await signIn(admin, "admin@localhost", ADMIN_PASSWORD);
  await admin.getByTestId("role").waitFor();
  // The admin's handbook, the ADMIN team's runbook, and the USER team's roadmap (ADMIN's
  // parent role is USER: membership goes up the role hierarchy).
  assert.deepEqual(await titles(admin), {
    how: expectedHow("admin"),
    titles: ["Admin handbook", "Team roadmap", "Ops runbook"],
  });
  await admin.close();
});

test("a wrong password shows an error on the form", async () => {
  const page = await browser.newPage();
  await signIn(page, "alice@example.com", "not-her-password");
  const error = page.getByTestId("signin-error");
  await error.waitFor();
  assert.equal(await error.textContent(), "Invalid email or password.");
  assert.equal(await page.getByTestId("role").count(), 0);
  await page.close();
});

test("the access token is refreshed silently, then revocation refuses the next action", async () => {
  const page = await browser.newPage();
  await signIn(page, "admin@localhost", ADMIN_PASSWORD);
  await page.getByTestId("role").waitFor();
  assert.match(await deleteAndRead(page), /^Deleted resource ID/);
  const before = JSON.parse(warden("session", "list", "--user", "admin", "--active", "--json"));

  // Outlive the first access token; middleware refreshes it on the server action's request.
  await page.waitForTimeout((TOKEN_TTL + 3) * 1000);
  assert.match(await deleteAndRead(page), /^Deleted resource ID/, "still works after the first token expired");
  const after = JSON.parse(warden("session", "list", "--user", "admin", "--active", "--json"));
  const session = after.find((s) => s.id === before[0].id) ?? after[0];
  assert.ok(session.last_used_at > session.created_at, "the refresh token was rotated");

  // An admin revokes every token of the user: the next action is refused.
  warden("token", "revoke", "--user", "admin");
  const refused = await deleteAndRead(page);
  assert.equal(refused, "Your session has ended. Please sign in again.");
  await page.close();
});

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
  // No JWT (warden's access tokens start with a base64url JSON header) and no refresh token
  // anywhere in it, under any name.
  assert.doesNotMatch(text, /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/, text);
  return session;
}

function reuseRevocations() {
  return JSON.parse(warden("audit", "--json", "--limit", "1000")).filter(
    (row) => row.detail?.reason === "refresh_token_reuse",
  );
}

test("server-rendered pages across several refreshes: still signed in, no reuse, no token in the session JSON", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, "alice@example.com", ALICE_PASSWORD);
  await page.getByTestId("role").waitFor();
  const first = assertNoToken((await sessionJson(page)).text);
  assert.equal(first.user.role, "USER");
  assert.equal(first.user.id, "alice");
  const started = JSON.parse(warden("session", "list", "--user", "alice", "--active", "--json"));

  // Four access-token lives of full page loads (server-rendered: the layout and pages read the
  // session and the documents page decides with the token), with no session poll in between.
  const until = Date.now() + (TOKEN_TTL * 4 + 1) * 1000;
  let loads = 0;
  while (Date.now() < until) {
    await page.goto(`${appUrl}/documents`);
    await page.getByTestId("documents").waitFor({ timeout: 15_000 });
    assert.deepEqual(await page.getByTestId("documents").locator("li").allTextContents(), ALICE_DOCUMENTS);
    await page.goto(appUrl);
    await page.getByTestId("role").waitFor({ timeout: 15_000 });
    assert.equal(await page.getByTestId("role").textContent(), "Role: USER");
    assert.equal(await page.getByTestId("session-error").count(), 0);
    loads += 2;
    await page.waitForTimeout(700);
  }
  assert.ok(loads >= 8, `${loads} page loads`);
  // Still allowed to act: the server action decides with a live token.
  assert.equal(await deleteAndRead(page), "Denied: you may not delete resource ID.");

  const now = JSON.parse(warden("session", "list", "--user", "alice", "--active", "--json"));
  const session = now.find((s) => s.id === started[0].id);
  assert.ok(session, `the session is still active: ${JSON.stringify(now)}`);
  assert.equal(session.revoked_at ?? null, null);
  assert.ok(session.last_used_at >= session.created_at + TOKEN_TTL * 2, "rotated across several token lives");
  assert.deepEqual(reuseRevocations(), [], "no refresh-token reuse in the audit");

  const last = assertNoToken((await sessionJson(page)).text);
  assert.equal(last.error, undefined, "no RefreshAccessTokenError");
  await context.close();
});

test("concurrent refreshes from one browser (two tabs, parallel requests) end in one session, not a revocation", async () => {
  const context = await browser.newContext();
  const one = await context.newPage();
  await signIn(one, "alice@example.com", ALICE_PASSWORD);
  await one.getByTestId("role").waitFor();
  const two = await context.newPage();
  await two.goto(`${appUrl}/documents`);
  await two.getByTestId("documents").waitFor();
  const before = (await sessionJson(one)).text;
  // Let the access token come within the refresh margin, twice over.
  for (let round = 0; round < 2; round++) {
    await one.waitForTimeout((TOKEN_TTL - 2) * 1000);
    // At once: session reads (NextAuth's route), a page fetch (middleware) and a reload of
    // the second tab (middleware, then the server-rendered page), all presenting the same
    // refresh token.
    const results = await Promise.all([
      sessionJson(one),
      one.evaluate(() => fetch("/documents", { cache: "no-store" }).then((r) => r.status)),
      sessionJson(one),
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
  assert.ok(after.expiresAt > JSON.parse(before).expiresAt, "the access token was refreshed");
  await two.getByTestId("documents").waitFor();
  assert.deepEqual(await two.getByTestId("documents").locator("li").allTextContents(), ALICE_DOCUMENTS);
  const newest = JSON.parse(warden("session", "list", "--user", "alice", "--json"))[0];
  assert.equal(newest.revoked_at ?? null, null, `this browser's session is live: ${JSON.stringify(newest)}`);
  assert.deepEqual(reuseRevocations(), [], "no refresh-token reuse in the audit");
  await context.close();
});

test("one typist behind the app does not lock everyone out: @warden/next passes each user's address", async () => {
  // Every sign-in reaches warden from the app server's address. Keyed on that address, 20
  // wrong passwords from anyone would give every user 429 (warden's per-address limit is 20).
  // The app vouches for each end user's address with its client key, so only the typist is
  // stopped.
  for (let n = 0; n < 20; n++) {
    assert.equal(await signInFrom("203.0.113.7", `nobody${n}@example.com`, "wrong-password-1"), false);
  }
  assert.equal(await signInFrom("203.0.113.7", "alice@example.com", ALICE_PASSWORD), false, "the typist's address is throttled");
  assert.equal(await signInFrom("198.51.100.20", "alice@example.com", ALICE_PASSWORD), true, "another user signs in");
});
