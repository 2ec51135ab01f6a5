"use client";

import { getSession } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useEffect } from "react";

// Rendered by a Server Component that found the access token expired (getWardenToken()
// answered AccessTokenExpired: nothing refreshed it before this render, and a Server
// Component must not rotate the refresh token). The browser asks NextAuth's session route,
// which refreshes and stores the rotated token in the cookie, then the page renders again.
export default function RefreshSession() {
  const router = useRouter();
  useEffect(() => {
    void getSession().then(() => router.refresh());
  }, [router]);
  return <p data-testid="refreshing">Refreshing your session…</p>;
}
