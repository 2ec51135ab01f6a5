"use client";

import { useFormState } from "react-dom";
import { deleteUserResource, type ActionResult } from "./actions";

export default function DeleteForm() {
  const [state, action] = useFormState<ActionResult | null, FormData>(deleteUserResource, null);
  return (
    <form action={action}>
      <label>
        Resource id <input name="resourceId" defaultValue="r1" />
      </label>{" "}
      <button type="submit">Delete resource</button>
      {state && (
        <p data-testid="result" style={{ color: state.ok ? "green" : "crimson" }}>
          {state.message}
        </p>
      )}
    </form>
  );
}
