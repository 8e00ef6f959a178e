import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authorizeWithPassword, clientIp } from "./credentials";
import { recordAudit } from "@/server/audit/audit";
import { oidcProviders, oidcSignInOf, userForOidcProfile } from "./oidc";
import { ensureAuthSecret } from "./secret";
import { endConsoleSession, startConsoleSession } from "@/server/users/sessions";

// Auth.js v5 (next-auth 5 beta): unlike v4 it gives App Router code one `auth()` that works in
// Server Components, server actions and route handlers alike, which the one action wrapper needs.
// Sessions are JWTs (required by the Credentials provider) naming a session kept in the store
// (server/users/sessions.ts); every request re-reads the session and the user from the store
// (server/auth/session.ts), so sign-out, a role change or a deactivation takes effect at once.
const secureSite = () => /^https:\/\//i.test(process.env.AUTH_URL ?? process.env.NEXTAUTH_URL ?? "");

export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: ensureAuthSecret(),
  trustHost: true,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
  // Served over HTTPS (AUTH_URL https://…), the session cookie is a __Host- cookie: Secure, Path=/
  // and no Domain, so no other origin of the host can set or shadow it. Over plain HTTP browsers
  // allow no such cookie; writes then rest on the organization check (server/auth/origin.ts).
  ...(secureSite() ? { cookies: { sessionToken: { name: "__Host-authjs.session-token", options: { httpOnly: true, sameSite: "lax" as const, path: "/", secure: true } } } } : {}),
  pages: { signIn: "/sign-in", error: "/sign-in" },
  providers: [
    Credentials({
      credentials: { email: { label: "E-mail" }, password: { label: "Password", type: "password" } },
      authorize: (credentials, request) => authorizeWithPassword(credentials, clientIp(request.headers)),
    }),
    ...oidcProviders(),
  ],
  callbacks: {
    async signIn({ account, profile }) {
      if (account?.provider !== "oidc") return true;
      const outcome = await oidcSignInOf(profile);
      // Refused: back to the sign-in page, which says why in words (unverified, unknown, deactivated).
      if ("refusal" in outcome) return `/sign-in?error=${outcome.refusal}`;
      const { user } = outcome;
      await recordAudit({ organizationId: user.organizationId, userId: user.id, userEmail: user.email, action: "auth.signIn", target: user.email, outcome: "success", detail: { method: "oidc" } });
      return true;
    },
    async jwt({ token, user, account, profile }) {
      if (account?.provider === "oidc") {
        const member = await userForOidcProfile(profile);
        if (member) {
          token.userId = member.id;
          token.organizationId = member.organizationId;
          token.role = member.role;
          token.email = member.email;
          token.name = member.name;
          token.sessionId = await startConsoleSession({ userId: member.id });
        }
      } else if (user?.id && user.organizationId && user.role) {
        token.userId = user.id;
        token.organizationId = user.organizationId;
        token.role = user.role;
        token.sessionId = await startConsoleSession({ userId: user.id });
      }
      return token;
    },
    session({ session, token }) {
      if (token.userId && token.organizationId && token.role && token.sessionId) {
        session.user.id = token.userId;
        session.user.organizationId = token.organizationId;
        session.user.role = token.role;
        session.user.sessionId = token.sessionId;
      }
      return session;
    },
  },
  events: {
    // The cookie is cleared in the browser; the session ends in the store, so a copy of the cookie is worth nothing.
    async signOut(message) {
      const sessionId = "token" in message ? message.token?.sessionId : undefined;
      if (sessionId) await endConsoleSession({ sessionId });
    },
  },
}));
