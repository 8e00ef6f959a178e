import NextAuth from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { authorizeWithPassword, clientIp } from "./credentials";
import { recordAudit } from "@/server/audit/audit";
import { oidcProviders, oidcSignInOf, userForOidcProfile } from "./oidc";
import { ensureAuthSecret } from "./secret";

// Auth.js v5 (next-auth 5 beta): unlike v4 it gives App Router code one `auth()` that works in
// Server Components, server actions and route handlers alike, which the one action wrapper needs.
// Sessions are JWTs (required by the Credentials provider); every request re-reads the user from
// the store (server/auth/session.ts), so a role change or a deactivation takes effect at once.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: ensureAuthSecret(),
  trustHost: true,
  session: { strategy: "jwt", maxAge: 8 * 60 * 60 },
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
        }
      } else if (user?.id && user.organizationId && user.role) {
        token.userId = user.id;
        token.organizationId = user.organizationId;
        token.role = user.role;
      }
      return token;
    },
    session({ session, token }) {
      if (token.userId && token.organizationId && token.role) {
        session.user.id = token.userId;
        session.user.organizationId = token.organizationId;
        session.user.role = token.role;
      }
      return session;
    },
  },
}));
