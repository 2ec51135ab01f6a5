"use client";

import type { Session } from "next-auth";
import { SessionProvider } from "next-auth/react";

// Polling the session runs the jwt callback in NextAuth's route handler, which refreshes
// warden's access token shortly before it expires and stores the rotated tokens in the
// session cookie. The session it polls carries no token (only what the UI shows).
export default function Providers({
  children,
  session,
  refetchSeconds,
}: {
  children: React.ReactNode;
  session: Session | null;
  refetchSeconds: number;
}) {
  return (
    <SessionProvider session={session} refetchInterval={refetchSeconds} refetchOnWindowFocus>
      {children}
    </SessionProvider>
  );
}
