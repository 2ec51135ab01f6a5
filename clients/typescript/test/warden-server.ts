// A real warden (target/debug/warden, or WARDEN_BIN) for a test file: a fresh database and a
// copy of the shipped policies in a temp dir (the caller may add to the copy before it starts),
// a port chosen by the system.

import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../../..");
export const BIN = process.env.WARDEN_BIN ?? join(ROOT, "target/debug/warden");

export interface RunningWarden {
  url: string;
  dir: string;
  /** The warden command line on this server's database and policies. */
  cli(args: string[], input?: string): string;
  stop(): void;
}

/** Copy the shipped policies to a temp dir, let `prepare` change the copy, then serve. */
export async function startWarden(prepare: (policiesDir: string) => void, env: Record<string, string> = {}): Promise<RunningWarden> {
  const dir = mkdtempSync(join(tmpdir(), "warden-ts-"));
  const policies = join(dir, "policies");
  cpSync(join(ROOT, "policies"), policies, { recursive: true });
  prepare(policies);
  const cli = (args: string[], input?: string) =>
    execFileSync(BIN, ["--db", join(dir, "warden.db"), "--policies", policies, ...args], { encoding: "utf8", input });
  let child: ChildProcess | undefined;
  const url = await new Promise<string>((ok, fail) => {
    child = spawn(BIN, ["serve", "--listen", "127.0.0.1:0", "--db", join(dir, "warden.db"), "--policies", policies], {
      env: { ...process.env, WARDEN_WATCH_POLICIES: "false", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const timer = setTimeout(() => fail(new Error(`warden did not start:\n${out}`)), 30_000);
    const onData = (c: Buffer) => {
      out += c.toString();
      const m = out.match(/warden listening on (http:\/\/[\d.:]+)\s/);
      if (m?.[1]) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`warden exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    dir,
    cli,
    stop() {
      child?.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
