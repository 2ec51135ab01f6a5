"use client";

import { signOut, useSession } from "next-auth/react";
import { useFormState, useFormStatus } from "react-dom";
import { deleteUserResource, type ActionResult } from "./actions";

function Submit() {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending}>
      Delete resource
    </button>
  );
}

export default function DeleteForm() {
  const { data: session } = useSession();
  const [state, action] = useFormState<ActionResult | null, FormData>(deleteUserResource, null);
  return (
    <div>
      <form action={action}>
        <label>
          Resource id <input name="resourceId" defaultValue="r1" />
        </label>{" "}
        <Submit />
      </form>
      {state && (
        <p data-testid="result" style={{ color: state.ok ? "green" : "crimson" }}>
          {state.message}
        </p>
      )}
      {session?.error && (
        <p data-testid="session-error">
          Your session has ended. <button onClick={() => signOut({ redirect: false })}>Sign in again</button>
        </p>
      )}
      <p>
        <button onClick={() => signOut({ redirect: false }).then(() => window.location.reload())}>Sign out</button>
      </p>
    </div>
  );
}
