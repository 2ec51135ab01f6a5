// Refresh warden's access token ahead of its expiry on every page and server action (not
// Auth.js's own routes, which refresh in the jwt callback), so that Server Components and
// server actions read a fresh token. The rotated refresh token is stored: the answer sets the
// session cookie, and the page rendered for this same request is given the new cookie. A plain
// middleware, not v5's `auth(...)` wrapper (it would append the old token's cookie after ours).
import { NextResponse, type NextRequest } from "next/server";
import { decode, encode } from "next-auth/jwt";
import { refreshSessionCookie } from "@warden/next/authjs/middleware";

export async function middleware(req: NextRequest) {
  const refreshed = await refreshSessionCookie(req, { encode, decode });
  if (!refreshed) return NextResponse.next();
  const headers = new Headers(req.headers);
  headers.set("cookie", refreshed.requestCookie);
  const res = NextResponse.next({ request: { headers } });
  res.cookies.set(refreshed.cookie.name, refreshed.cookie.value, refreshed.cookie.options);
  return res;
}

export const config = {
  matcher: ["/((?!api/auth|_next/static|_next/image|favicon.ico).*)"],
};
