// Generates src/generated/openapi.ts from warden's OpenAPI document, printed offline by
// `warden openapi` (no server, no database). `--check` fails when the committed file differs
// from what the current warden would generate (CI runs it: the types are the contract).
//
//   node scripts/generate.mjs           regenerate
//   node scripts/generate.mjs --check   exit 1 when stale
//
// WARDEN_BIN names the binary (default: debug/warden in CARGO_TARGET_DIR when set, else the
// repository's target/debug/warden).

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const here = import.meta.dirname;
const root = resolve(here, "../../..");
const bin =
  process.env.WARDEN_BIN ??
  join(process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, "target"), "debug/warden");
// Said before anything else is loaded (issue 32: a missing binary ended in
// `spawnSync .../target/debug/warden ENOENT`, which does not say what to do).
if (!existsSync(bin)) {
  console.error(`no warden binary at ${bin}: build warden (cargo build) or set WARDEN_BIN to its path`);
  process.exit(1);
}
const target = resolve(here, "../src/generated/openapi.ts");

// An empty working directory: no warden.toml of the caller's changes the document.
const cwd = mkdtempSync(join(tmpdir(), "warden-openapi-"));
let document;
try {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith("WARDEN_") && key !== "WARDEN_BIN") delete env[key];
  document = JSON.parse(execFileSync(bin, ["openapi"], { cwd, env, encoding: "utf8" }));
} finally {
  rmSync(cwd, { recursive: true, force: true });
}
// The server URL depends on where warden listens; the types do not.
delete document.servers;

const { default: openapiTS, astToString } = await import("openapi-typescript");
const ast = await openapiTS(document, { alphabetize: true, emptyObjectsUnknown: true });
const text =
  "// Generated from warden's OpenAPI document by scripts/generate.mjs (`npm run generate`).\n" +
  "// Do not edit: CI regenerates it and fails when it differs.\n\n" +
  astToString(ast);

if (process.argv.includes("--check")) {
  let current = "";
  try {
    current = readFileSync(target, "utf8");
  } catch {}
  if (current !== text) {
    console.error(
      "src/generated/openapi.ts is stale: warden's OpenAPI document changed. Run `npm run generate` in clients/typescript and commit the result.",
    );
    process.exit(1);
  }
  console.log("src/generated/openapi.ts is up to date");
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
