// `npm pack` of a clean checkout (no dist/): the prepack script builds dist/, so the tarball
// ships what package.json's main, types and exports name, and the NextAuth augmentation.

import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const PACKAGE = resolve(import.meta.dirname, "../..");

test("npm pack of a clean checkout builds and ships dist/", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "warden-pack-"));
  try {
    const checkout = join(dir, "checkout");
    for (const path of ["package.json", "tsconfig.json", "README.md", "CHANGELOG.md", "src"]) {
      cpSync(join(PACKAGE, path), join(checkout, path), { recursive: true });
    }
    assert.equal(existsSync(join(checkout, "dist")), false);
    symlinkSync(join(PACKAGE, "node_modules"), join(checkout, "node_modules"), "dir");
    const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dir], {
      cwd: checkout,
      encoding: "utf8",
      env: { ...process.env, npm_config_loglevel: "error" },
    });
    // npm prints the prepack script's output before the JSON.
    const [packed] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string; files: { path: string }[] }[];
    assert.ok(packed && existsSync(join(dir, packed.filename)));
    const files = new Set(packed.files.map((f) => f.path));
    const manifest = JSON.parse(readFileSync(join(PACKAGE, "package.json"), "utf8")) as {
      main: string;
      types: string;
      exports: Record<string, { types: string; default: string }>;
    };
    const named = [manifest.main, manifest.types, ...Object.values(manifest.exports).flatMap((e) => [e.types, e.default])];
    for (const path of [...named.map((p) => p.replace(/^\.\//, "")), "dist/augment.d.ts", "dist/authzen.d.ts"]) {
      assert.ok(files.has(path), `${path} is not in the tarball`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
