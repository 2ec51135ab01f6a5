import Providers from "./providers";

export const metadata = { title: "warden + NextAuth" };

// Read at request time, so one build serves any setting.
export const dynamic = "force-dynamic";

// How often the browser polls the session (and so lets the server refresh the token).
// Keep it well below the access-token life (warden's default: 900 s).
const REFETCH_SECONDS = Number(process.env.SESSION_REFETCH_SECONDS ?? 60);

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", maxWidth: 640, margin: "2rem auto" }}>
        <Providers refetchSeconds={REFETCH_SECONDS}>{children}</Providers>
      </body>
    </html>
  );
}
