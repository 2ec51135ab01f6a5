// What the examples' end-to-end tests share: a free port, a server started until it prints
// its ready line, a URL polled until it answers. Node's own modules only, so both example
// apps (each with its own node_modules) import it as is.

import { spawn } from "node:child_process";
import { createServer } from "node:net";

export function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

/** Start `command`, kept in `children` (killed by the caller), until it prints `readyLine`. */
export function startServer(children, command, args, options, readyLine) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  // The last lines the server printed, for a failing test to show (see `tails`).
  child.tail = "";
  const keepTail = (chunk) => {
    child.tail = (child.tail + chunk).slice(-TAIL_BYTES);
  };
  child.stdout.on("data", keepTail);
  child.stderr.on("data", keepTail);
  let output = "";
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`${command} did not start:\n${output}`)), 60_000);
    const onData = (chunk) => {
      output += chunk;
      // Whole lines only: a chunk may end inside the line (`http://127.0.0.1:4` of
      // `...:41817`), and a partial address sent the app to a port nobody listens on.
      const match = output.slice(0, output.lastIndexOf("\n") + 1).match(readyLine);
      if (match) {
        clearTimeout(timer);
        ok(match);
      }
    };
    child.stdout.on("data", onData);
    // E2E_DEBUG=1 shows what warden and the app print.
    if (process.env.E2E_DEBUG) child.stderr.on("data", (c) => process.stderr.write(c));
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`${command} exited with ${code}:\n${output}`));
    });
  });
}

const TAIL_BYTES = 16 * 1024;

/** What each server printed last: shown when a test failed, so a CI log says why. */
export function tails(children) {
  return children
    .map((c) => `--- ${c.spawnfile} (pid ${c.pid}, exit ${c.exitCode ?? "running"}) printed last:\n${c.tail ?? ""}`)
    .join("\n");
}

/** Poll `url` until it answers 200 with a body that `check` accepts (60 s at most). */
export async function ready(url, check) {
  const deadline = Date.now() + 60_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (res.ok && check(body)) return;
      last = `${res.status}: ${body.slice(0, 200)}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((ok) => setTimeout(ok, 250));
  }
  throw new Error(`${url} did not become ready: ${last}`);
}
