"use client";

import { SessionProvider } from "next-auth/react";

// Polling the session runs the jwt callback on the server, which refreshes warden's access
// token shortly before it expires and stores the rotated tokens in the session cookie.
export default function Providers({ children, refetchSeconds }: { children: React.ReactNode; refetchSeconds: number }) {
  return (
    <SessionProvider refetchInterval={refetchSeconds} refetchOnWindowFocus>
      {children}
    </SessionProvider>
  );
}
