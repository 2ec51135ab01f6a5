import { getServerSession } from "next-auth";
import { authOptions } from "@/lib/auth";
import Providers from "./providers";

export const metadata = { title: "warden + NextAuth" };

// Read at request time, so one build serves any setting.
export const dynamic = "force-dynamic";

// How often the browser polls the session (each poll runs the jwt callback in NextAuth's
// route handler, which refreshes the token when it is due and stores the rotated one).
// Keep it below WARDEN_REFRESH_MARGIN_SECONDS; middleware.ts refreshes on navigation anyway.
const REFETCH_SECONDS = Number(process.env.SESSION_REFETCH_SECONDS ?? 60);

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The session as rendered (no token in it): the browser does not fetch it again on load.
  const session = await getServerSession(authOptions);
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "2rem auto" }}>
        <Providers session={session} refetchSeconds={REFETCH_SECONDS}>
          {children}
        </Providers>
      </body>
    </html>
  );
}
