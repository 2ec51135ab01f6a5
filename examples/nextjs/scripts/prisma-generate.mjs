// Generates the example's Prisma client (prisma/schema.prisma -> lib/generated/prisma). Prisma
// 7's `prisma-client` generator needs no engine binary: queries are compiled in WebAssembly and
// run through a driver adapter (PGlite's here). The CLI still fetches its schema-engine binary
// when it starts unless one is named, and a machine that reaches only the npm registry cannot,
// so a path that exists is named: `generate` never runs it.

import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

const app = resolve(import.meta.dirname, "..");
execFileSync(process.execPath, [join(app, "node_modules/prisma/build/index.js"), "generate"], {
  cwd: app,
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
