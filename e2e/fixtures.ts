import AxeBuilder from "@axe-core/playwright";
import { test as base, expect, type Browser, type Page } from "@playwright/test";
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

/**
 * Checks the page with axe (WCAG 2.1 A and AA rules) and fails on any serious or critical
 * violation, naming each rule and the elements it found.
 */
export async function expectAccessible(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const serious = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    serious.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`),
    `accessibility of ${what}`,
  ).toEqual([]);
}

/** A new browser context on `baseURL`, signed in as `email` with the demo password. */
export async function signedIn(browser: Browser, baseURL: string, email: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await new SignInPage(page).signIn(email, DEMO_PASSWORD);
  return page;
}
