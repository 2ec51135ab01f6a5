// Server-side access to warden's token for server actions and Server Components: decrypted
// from Auth.js's session cookie with Auth.js's own decode (salt: the cookie's name). It never
// refreshes, so it is safe anywhere; the browser never sees the token.
import { decode } from "next-auth/jwt";
import { createGetWardenToken } from "@warden/next/authjs";

export const getWardenToken = createGetWardenToken({ decode });
