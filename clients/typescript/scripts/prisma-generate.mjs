// Generates the Prisma client of the tests' database (test/prisma-db/schema.prisma) into
// test/prisma-db/generated (not committed). Prisma 7's `prisma-client` generator writes
// TypeScript and needs no engine: queries are compiled in WebAssembly and run through a driver
// adapter (PGlite's, in the tests). The CLI still fetches its schema-engine binary when it
// starts unless one is named, and this machine reaches only the npm registry, so a path that
// exists is named: `generate` never runs it (migrations would; the tests create their tables
// with SQL).

import { execFileSync } from "node:child_process";
import { join, resolve } from "node:path";

const here = import.meta.dirname;
const pkg = resolve(here, "..");
execFileSync(
  process.execPath,
  [join(pkg, "node_modules/prisma/build/index.js"), "generate", "--schema", join(pkg, "test/prisma-db/schema.prisma")],
  {
    cwd: pkg,
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
      CHECKPOINT_DISABLE: "1",
    },
  },
);
