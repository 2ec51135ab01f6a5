// A fake warden on 127.0.0.1 (node's http): each test says how it answers, and reads what it
// was asked.

import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Asked {
  method: string;
  path: string;
  authorization: string | undefined;
  /** Every request header, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type Handler = (asked: Asked, res: ServerResponse) => void | Promise<void>;

export interface Fake {
  url: string;
  asked: Asked[];
  close(): Promise<void>;
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

export async function fakeWarden(handler: Handler): Promise<Fake> {
  const asked: Asked[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {}
      const a: Asked = { method: req.method ?? "", path: req.url ?? "", authorization: req.headers.authorization, headers: req.headers, body };
      asked.push(a);
      Promise.resolve(handler(a, res)).catch((e) => json(res, 500, { error: "internal", message: String(e) }));
    });
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    asked,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/** A sign-in answer like warden's. */
export function signedIn(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: "alice",
    email: "alice@example.com",
    name: "Alice",
    role: "USER",
    roles: ["USER"],
    token: "at-1",
    access_token: "at-1",
    token_type: "Bearer",
    expires_in: 900,
    expires_at: 2_000_000_000,
    refresh_token: "rt-1",
    refresh_expires_in: 86400,
    session_id: "s1",
    ...over,
  };
}

export function allow(reasons = ["p1"]): Record<string, unknown> {
  return { decision: "allow", allowed: true, reasons, errors: [], request_id: "r" };
}

export function denyAnswer(reasons: string[] = []): Record<string, unknown> {
  return { decision: "deny", allowed: false, reasons, errors: [], request_id: "r" };
}

/** A port where nothing listens (bound, then closed). */
export async function deadUrl(): Promise<string> {
  const f = await fakeWarden(() => {});
  await f.close();
  return f.url;
}
