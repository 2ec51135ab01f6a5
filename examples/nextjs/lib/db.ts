// The example's database: a real PostgreSQL (PGlite, compiled to WebAssembly) inside the Next
// server process, created and seeded on first use, queried through Prisma 7's client with
// PGlite's driver adapter (no engine binary, nothing to download). A real app points Prisma at
// its own database; the list page's code is the same.

import { PGlite } from "@electric-sql/pglite";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/prisma/client";

export type { Prisma } from "./generated/prisma/client";

/** The documents: some owned by alice or the admin, some shared with a team (a warden role). */
const SEED: Array<{ id: string; title: string; ownerId: string; teamId: string | null }> = [
  { id: "d1", title: "Alice's notes", ownerId: "alice", teamId: null },
  { id: "d2", title: "Admin handbook", ownerId: "admin", teamId: null },
  { id: "d3", title: "Alice's plan", ownerId: "alice", teamId: null },
  { id: "d4", title: "Bob's draft", ownerId: "bob", teamId: null },
  // Every USER's (the role): alice's, and the admin's through ADMIN's parent USER.
  { id: "d5", title: "Team roadmap", ownerId: "bob", teamId: "USER" },
  // The ADMINs' only.
  { id: "d6", title: "Ops runbook", ownerId: "bob", teamId: "ADMIN" },
  // A team nobody here is in.
  { id: "d7", title: "Finance forecast", ownerId: "bob", teamId: "FINANCE" },
];

const DDL = `CREATE TABLE documents (
  id text PRIMARY KEY,
  title text NOT NULL,
  owner_id text NOT NULL,
  team_id text
)`;

async function open(): Promise<PrismaClient> {
  const pg = new PGlite();
  await pg.exec(DDL);
  for (const d of SEED) {
    await pg.query("INSERT INTO documents (id, title, owner_id, team_id) VALUES ($1, $2, $3, $4)", [d.id, d.title, d.ownerId, d.teamId]);
  }
  return new PrismaClient({ adapter: new PrismaPGlite(pg) });
}

// One database per server process (kept on globalThis: Next's dev server reloads modules).
const holder = globalThis as { wardenExampleDb?: Promise<PrismaClient> };

/** The Prisma client of the example's database. */
export function db(): Promise<PrismaClient> {
  holder.wardenExampleDb ??= open();
  return holder.wardenExampleDb;
}
