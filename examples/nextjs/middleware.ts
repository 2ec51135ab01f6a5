// Refresh warden's access token ahead of its expiry on every page, server action and route
// (not NextAuth's own routes, which refresh in the jwt callback), so that Server Components
// and server actions always read a fresh token with getWardenToken(). The rotated refresh
// token is stored: the answer sets the session cookie, and the page rendered for this same
// request is given the new cookie.
import { NextResponse, type NextRequest } from "next/server";
import { refreshSessionCookie } from "@warden/next/middleware";

export async function middleware(req: NextRequest) {
  const refreshed = await refreshSessionCookie(req);
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
