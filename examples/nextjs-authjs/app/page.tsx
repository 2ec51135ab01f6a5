import { redirect } from "next/navigation";
import { authorize } from "@warden/next";
import { auth } from "@/lib/auth";
import { getWardenToken } from "@/lib/warden";
import { signOutAction } from "./actions";
import DeleteForm from "./delete-form";

export const dynamic = "force-dynamic";

// Server-rendered on every request: the session (no token in it) from auth(), and a decision
// from warden with the access token read on the server. Nothing here refreshes.
export default async function Home() {
  const session = await auth();
  if (!session?.user) redirect("/signin");
  const access = await getWardenToken();
  const decision = access?.accessToken
    ? await authorize(access, "deleteUserResource", { type: "UserResource", id: "r1" })
    : null;
  return (
    <main>
      <h1>Hello, {session.user.name || session.user.email}</h1>
      <p data-testid="role">Role: {session.user.role ?? "none"}</p>
      {decision ? (
        <p data-testid="decision">
          {decision.unauthenticated
            ? "Your session has ended."
            : `May delete r1: ${decision.allowed ? "allowed" : "denied"}`}
        </p>
      ) : (
        <p data-testid="session-error">No usable token: {access?.error ?? "not signed in"}</p>
      )}
      <DeleteForm />
      <form action={signOutAction}>
        <button type="submit">Sign out</button>
      </form>
    </main>
  );
}
