import { afterEach, expect, it, vi } from "vitest";
import { oidcProviders, oidcSettings } from "./oidc";

afterEach(() => vi.unstubAllEnvs());

it("offers single sign-on only when issuer, client id and secret are all set", () => {
  vi.stubEnv("OIDC_ISSUER", "https://login.example.com");
  vi.stubEnv("OIDC_CLIENT_ID", "console");
  vi.stubEnv("OIDC_CLIENT_SECRET", "");
  expect(oidcSettings()).toBeNull();
  expect(oidcProviders()).toEqual([]);
  vi.stubEnv("OIDC_CLIENT_SECRET", "s3cret");
  vi.stubEnv("OIDC_NAME", "Example SSO");
  expect(oidcProviders()).toEqual([
    expect.objectContaining({ id: "oidc", type: "oidc", name: "Example SSO", issuer: "https://login.example.com", clientId: "console", clientSecret: "s3cret", checks: ["pkce", "state", "nonce"] }),
  ]);
});
