import { test as base, expect } from "@playwright/test";
import { SignInPage } from "./pages/sign-in";

export const DEMO_PASSWORD = "cleanrooms-demo";

export const test = base.extend<{ signInPage: SignInPage }>({
  // The server's address is known only after global setup has started it.
  baseURL: async ({}, provide) => {
    await provide(process.env.E2E_BASE_URL);
  },
  signInPage: async ({ page }, provide) => {
    await provide(new SignInPage(page));
  },
});

export { expect };
