// Where a refresh may rotate warden's refresh token: only where the rotated token can be
// stored in the browser's cookie. In the app router that is NextAuth's own route handler
// (`/api/auth/session` and the other `/api/auth/*` routes answer with Set-Cookie) and
// middleware; never a Server Component (an RSC answer carries no Set-Cookie), and not
// `getServerSession()` in a server action or route handler either (next-auth v4 drops the
// cookies it would set there). `wardenAuthHandler()` marks NextAuth's handler; the `jwt`
// callback rotates only inside such a mark.

import { AsyncLocalStorage } from "node:async_hooks";
import type { HeaderSource } from "./client.js";

export interface RotationContext {
  /** The incoming request's headers (for the end user's address). */
  headers?: HeaderSource;
}

// One store per process, even when a bundler includes this module more than once (Next.js
// bundles each route separately).
const KEY = Symbol.for("@warden/next.rotation-context");
const holder = globalThis as unknown as Record<symbol, AsyncLocalStorage<RotationContext> | undefined>;
const store: AsyncLocalStorage<RotationContext> = (holder[KEY] ??= new AsyncLocalStorage<RotationContext>());

/** Run `fn` where the `jwt` callback may rotate (its result reaches the browser's cookie). */
export function withWardenRotation<T>(headers: HeaderSource, fn: () => T): T {
  return store.run({ headers }, fn);
}

/** The mark set by `withWardenRotation`, if the current call runs inside one. */
export function rotationContext(): RotationContext | undefined {
  return store.getStore();
}

/**
 * Wrap NextAuth's route handler so that its `jwt` callback may rotate warden's refresh token
 * (the handler's answer sets the session cookie):
 *
 * ```ts
 * // app/api/auth/[...nextauth]/route.ts
 * const handler = wardenAuthHandler(NextAuth(authOptions));
 * export { handler as GET, handler as POST };
 * ```
 *
 * Works for the pages router's `pages/api/auth/[...nextauth].ts` too (`req.headers`).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function wardenAuthHandler<H extends (...args: any[]) => any>(handler: H): H {
  const wrapped = (...args: Parameters<H>): ReturnType<H> => {
    const req = args[0] as { headers?: HeaderSource } | undefined;
    return withWardenRotation(req?.headers, () => handler(...args));
  };
  return wrapped as H;
}
