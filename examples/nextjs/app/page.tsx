import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth";
import DeleteForm from "./delete-form";
import SignInForm from "./signin-form";

export const dynamic = "force-dynamic";

export default async function Home() {
  const session = await getServerSession(authOptions);
  if (!session) {
    return <SignInForm />;
  }
  return (
    <main>
      <h1>Hello, {session.user?.name || session.user?.email}</h1>
      <p data-testid="role">Role: {session.user?.role ?? "none"}</p>
      <DeleteForm />
      <p>
        <a href="/documents">Documents you may view</a>
      </p>
    </main>
  );
}
