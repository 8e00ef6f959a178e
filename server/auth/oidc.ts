import type { Provider } from "next-auth/providers";
import { findUserForSignIn } from "@/server/users/store";

// An optional OpenID Connect provider, configured entirely by environment. It signs in only users
// who already exist, matched by a verified e-mail (see callbacks in auth.ts).
export function oidcSettings() {
  const issuer = process.env.OIDC_ISSUER?.trim();
  const clientId = process.env.OIDC_CLIENT_ID?.trim();
  const clientSecret = process.env.OIDC_CLIENT_SECRET?.trim();
  if (!issuer || !clientId || !clientSecret) return null;
  return { issuer, clientId, clientSecret, name: process.env.OIDC_NAME?.trim() || "single sign-on" };
}

export function oidcProviders(): Provider[] {
  const settings = oidcSettings();
  if (!settings) return [];
  return [
    {
      id: "oidc",
      name: settings.name,
      type: "oidc",
      issuer: settings.issuer,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      checks: ["pkce", "state", "nonce"],
    },
  ];
}

/**
 * The existing, active user an OIDC profile signs in as, or null. Only a verified e-mail counts:
 * an unverified one could be anybody's. Nobody is created here.
 */
export async function userForOidcProfile(profile: OidcProfile) {
  const outcome = await oidcSignInOf(profile);
  return "user" in outcome ? outcome.user : null;
}

type OidcProfile = { email?: unknown; email_verified?: unknown } | undefined;

/** Why an OIDC sign-in is refused, as the sign-in page names it (its `error` parameter). */
export type OidcRefusal = "OidcUnverified" | "OidcUnknown" | "OidcDeactivated";

/** The user an OIDC profile signs in as, or why it may not sign in. */
export async function oidcSignInOf(profile: OidcProfile) {
  if (profile?.email_verified !== true || typeof profile.email !== "string") return { refusal: "OidcUnverified" as const };
  const found = await findUserForSignIn({ email: profile.email });
  if (!found) return { refusal: "OidcUnknown" as const };
  if (!found.user.active) return { refusal: "OidcDeactivated" as const };
  const { user } = found;
  return { user: { id: user.id, email: user.email, name: user.name, organizationId: user.organizationId, role: user.role } };
}
