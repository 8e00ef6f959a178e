import http from "node:http";
import Provider from "oidc-provider";

// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for single sign-on
// tests: it signs in whoever types an e-mail at its own login page (its development
// interactions), and says the e-mail is verified unless it ends in ".unverified".

export interface IdentityProvider {
  issuer: string;
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
}

/** Starts the provider on `port`, with one client whose redirect URI is the console's. */
export async function startIdentityProvider(port: number, consoleUrl: string): Promise<IdentityProvider> {
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = "clean-rooms-console";
  const clientSecret = "a-test-client-secret-of-the-identity-provider";
  const provider = new Provider(issuer, {
    clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [`${consoleUrl}/api/auth/callback/oidc`], grant_types: ["authorization_code"], response_types: ["code"] }],
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    // The console reads the e-mail from the ID token, so the claims go there.
    conformIdTokenClaims: false,
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id.replace(/\.unverified$/, ""), email_verified: !id.endsWith(".unverified") }),
    }),
    features: { devInteractions: { enabled: true } },
  });
  const server = http.createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    issuer,
    clientId,
    clientSecret,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
