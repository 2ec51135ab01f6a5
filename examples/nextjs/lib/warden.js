// Talking to warden from the server side of the app.

export const WARDEN_URL = process.env.WARDEN_URL ?? "http://127.0.0.1:8080";

/** POST JSON to warden; returns { ok, status, body }. Network errors are thrown. */
export async function wardenPost(path, body, accessToken) {
  const headers = { "content-type": "application/json" };
  if (accessToken) headers.authorization = `Bearer ${accessToken}`;
  const res = await fetch(`${WARDEN_URL}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
    cache: "no-store",
  });
  const text = await res.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { ok: res.ok, status: res.status, body: parsed };
}
