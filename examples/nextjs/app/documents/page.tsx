import { authorizeMany, plan, PlanTranslationError } from "@warden/next";
import { planToPrismaWhere, type PrismaMapping } from "@warden/next/prisma";
import { getWardenToken } from "@warden/next/server";
import { db, type Prisma } from "@/lib/db";
import RefreshSession from "../refresh-session";

export const dynamic = "force-dynamic";

/**
 * How the Cedar attributes of a `Document` are stored: the Prisma model's fields, checked by
 * tsc against `DocumentWhereInput` (a misspelt field does not compile).
 */
const DOCUMENT_COLUMNS: PrismaMapping<Prisma.DocumentWhereInput> = {
  attributes: {
    resource: { field: "id", entityType: "Document" },
    "resource.owner": { field: "ownerId", entityType: "User" },
    "resource.team": { field: "teamId", entityType: "Role" },
    "resource.title": "title",
  },
};

/** At most this many rows are checked one by one when the plan cannot filter the query. */
const ROW_BY_ROW_LIMIT = 100;

/**
 * The documents the signed-in user may view (`viewDocument`: their own, and those of a team
 * they are in, `principal in resource.team`), filtered in the query by warden's plan: one call,
 * whatever the number of rows. A plan that cannot be translated exactly (one with residuals
 * warden cannot express) falls back to asking warden about each row (one batch call, a
 * bounded number of rows); any failure shows nothing. The token is read on the server
 * (getWardenToken), never refreshed here: a Server Component cannot store a rotated refresh
 * token (middleware.ts refreshes ahead of time).
 */
export default async function Documents() {
  const session = await getWardenToken();
  if (!session) {
    return <p>Not signed in.</p>;
  }
  if (session.error === "AccessTokenExpired") {
    return <RefreshSession />;
  }
  // The plan first, while the access token read above is certainly live.
  const p = await plan(session, "viewDocument", "Document");
  const prisma = await db();
  let rows: Array<{ id: string; title: string }>;
  let how: string;
  try {
    const where: Prisma.DocumentWhereInput = planToPrismaWhere(p, DOCUMENT_COLUMNS);
    rows = await prisma.document.findMany({ where, orderBy: { id: "asc" } });
    how = `filtered by a ${p.kind} plan`;
  } catch (e) {
    if (!(e instanceof PlanTranslationError)) throw e;
    const candidates = await prisma.document.findMany({ orderBy: { id: "asc" }, take: ROW_BY_ROW_LIMIT });
    const decisions = await authorizeMany(
      session,
      candidates.map((d) => ({
        action: "viewDocument",
        resource: {
          type: "Document",
          id: d.id,
          properties: {
            owner: { __entity: { type: "User", id: d.ownerId } },
            title: d.title,
            ...(d.teamId === null ? {} : { team: { __entity: { type: "Role", id: d.teamId } } }),
          },
        },
      })),
    );
    // Fail closed: only an explicit allow shows a row.
    rows = candidates.filter((_, i) => decisions[i]?.allowed === true);
    how = "checked one by one";
  }
  return (
    <main>
      <h1>Documents you may view</h1>
      <p data-testid="plan-kind">{how}</p>
      <ul data-testid="documents">
        {rows.map((d) => (
          <li key={d.id}>{d.title}</li>
        ))}
      </ul>
      <p>
        <a href="/">Back</a>
      </p>
    </main>
  );
}
