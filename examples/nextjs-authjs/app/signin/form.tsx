"use client";

import { useFormState, useFormStatus } from "react-dom";
import { signInAction } from "../actions";

function Submit() {
  const { pending } = useFormStatus();
  return (
    <button type="submit" disabled={pending}>
      Sign in
    </button>
  );
}

export default function SignInForm() {
  const [error, action] = useFormState<string | null, FormData>(signInAction, null);
  return (
    <form action={action} aria-label="sign in">
      <h1>Sign in</h1>
      <p>
        <label>
          Email <input name="email" type="email" autoComplete="username" required />
        </label>
      </p>
      <p>
        <label>
          Password <input name="password" type="password" autoComplete="current-password" required />
        </label>
      </p>
      <Submit />
      {error && (
        <p role="alert" data-testid="signin-error" style={{ color: "crimson" }}>
          {error}
        </p>
      )}
    </form>
  );
}
