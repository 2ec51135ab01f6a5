// Runs once when the Next server starts: open and seed the example's database (lib/db.ts), so
// the first request does not wait for PGlite and Prisma's query compiler to load.

export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { db } = await import("./lib/db");
    await db();
  }
}
