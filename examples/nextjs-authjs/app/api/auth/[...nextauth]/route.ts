// Auth.js's route handlers, marked as the place where the jwt callback may rotate warden's
// refresh token: their answer (the session read at /api/auth/session included) sets the cookie.
import { wardenHandlers } from "@warden/next/authjs";
import { handlers } from "@/lib/auth";

export const { GET, POST } = wardenHandlers(handlers);
