"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

export default function SignInForm() {
  const router = useRouter();
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError("");
    const form = new FormData(event.currentTarget);
    const result = await signIn("credentials", {
      email: form.get("email"),
      password: form.get("password"),
      redirect: false,
    });
    setBusy(false);
    if (!result || result.error) {
      setError("Invalid email or password.");
      return;
    }
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} aria-label="sign in">
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
      <button type="submit" disabled={busy}>
        Sign in
      </button>
      {error && (
        <p role="alert" data-testid="signin-error" style={{ color: "crimson" }}>
          {error}
        </p>
      )}
    </form>
  );
}
