import { authorizeMany, plan, planToPrismaWhere, PlanTranslationError, type PrismaMapping } from "@warden/next";
import { getWardenToken } from "@warden/next/server";
import { allDocuments, findDocuments, type DocumentRow } from "@/lib/db";
import RefreshSession from "../refresh-session";

export const dynamic = "force-dynamic";

/** How the Cedar attributes of a `Document` are stored (the Prisma model's columns). */
const DOCUMENT_COLUMNS: PrismaMapping = {
  attributes: {
    resource: { field: "id", entityType: "Document" },
    "resource.owner": { field: "ownerId", entityType: "User" },
    "resource.title": "title",
  },
};

/**
 * The documents the signed-in user may edit, filtered in the query by warden's plan for
 * `editDocument` (one call, whatever the number of rows). A plan that cannot be translated
 * exactly falls back to asking warden about each row (one batch call); any failure shows
 * nothing. The token is read on the server (getWardenToken), never refreshed here: a Server
 * Component cannot store a rotated refresh token (middleware.ts refreshes ahead of time).
 */
export default async function Documents() {
  const session = await getWardenToken();
  if (!session) {
    return <p>Not signed in.</p>;
  }
  if (session.error === "AccessTokenExpired") {
    return <RefreshSession />;
  }
  const p = await plan(session, "editDocument", "Document");
  let rows: DocumentRow[];
  let how: string;
  try {
    rows = await findDocuments(planToPrismaWhere(p, DOCUMENT_COLUMNS));
    how = `filtered by a ${p.kind} plan`;
  } catch (e) {
    if (!(e instanceof PlanTranslationError)) throw e;
    const candidates = await allDocuments();
    const decisions = await authorizeMany(
      session,
      candidates.map((d) => ({
        action: "editDocument",
        resource: { type: "Document", id: d.id, properties: { owner: { __entity: { type: "User", id: d.ownerId } }, title: d.title } },
      })),
    );
    rows = candidates.filter((_, i) => decisions[i]?.allowed === true);
    how = "checked one by one";
  }
  return (
    <main>
      <h1>Documents you may edit</h1>
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
