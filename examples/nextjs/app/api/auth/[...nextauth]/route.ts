import NextAuth from "next-auth";
import { wardenAuthHandler } from "@warden/next";
import { authOptions } from "@/lib/auth";

// wardenAuthHandler marks NextAuth's route handler as the place where the jwt callback may
// rotate warden's refresh token: this handler's answer (the session poll at
// /api/auth/session included) sets the session cookie. Server Components cannot, so the
// callback never rotates there.
const handler = wardenAuthHandler(NextAuth(authOptions));

export { handler as GET, handler as POST };
