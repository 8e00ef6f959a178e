// Auth.js's own endpoints (CSRF token, OIDC redirects and callbacks, session, sign-out).
// They are public by nature and check what they need themselves.
import { handlers } from "@/server/auth/auth";

export const { GET, POST } = handlers;
