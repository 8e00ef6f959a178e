import type { Page } from "@playwright/test";
import { freePort, startConsole, type RunningConsole } from "./console-server";
import { expect, signedIn, test } from "./fixtures";
import { startIdentityProvider, type IdentityProvider } from "./identity-provider";

// Single sign-on against a live OpenID Connect provider on loopback: a known user signs in; an
// unknown e-mail, an unverified one and a deactivated user are each refused with words that say why.
let running: RunningConsole;
let provider: IdentityProvider;
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  running = await startConsole({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: "clean-rooms-console", OIDC_CLIENT_SECRET: "a-test-client-secret-of-the-identity-provider", OIDC_NAME: "Test SSO" });
  provider = await startIdentityProvider(port, running.baseURL);
});
test.afterAll(async () => {
  await running?.stop();
  await provider?.stop();
});

/** Through the provider's own login and consent pages, as `login`. */
async function signInWithProvider(page: Page, login: string) {
  await page.goto(`${running.baseURL}/sign-in`);
  await page.getByRole("button", { name: "Sign in with Test SSO" }).click();
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("any");
  await page.locator("button[type=submit]").click();
  // The provider asks once whether the console may have the e-mail.
  const consent = page.locator("button[type=submit]");
  if (await consent.isVisible().catch(() => false)) await consent.click();
}

test("a known user signs in through the identity provider", async ({ browser }) => {
  const page = await (await browser.newContext({ baseURL: running.baseURL })).newPage();
  await signInWithProvider(page, "analyst@org-a.example");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Home", "Collaborations", "Query workbench"], { timeout: 20_000 });
  await expect(page.getByText("analyst@org-a.example")).toBeVisible();
});

test("an unknown, an unverified and a deactivated user are refused, saying why", async ({ browser }) => {
  const cases: [string, string][] = [
    ["nobody@elsewhere.example", "No user of this console has the e-mail your identity provider gave."],
    ["analyst@org-b.example.unverified", "Your identity provider did not confirm your e-mail address"],
  ];
  for (const [login, message] of cases) {
    const page = await (await browser.newContext({ baseURL: running.baseURL })).newPage();
    await signInWithProvider(page, login);
    await expect(page.getByRole("main").getByRole("alert")).toContainText(message, { timeout: 20_000 });
    await expect(page).toHaveURL(/\/sign-in/);
  }

  // An admin deactivates org-b's analyst, who then cannot sign in through the provider either.
  const admin = await signedIn(browser, running.baseURL, "admin@org-b.example");
  await admin.goto("/users");
  const row = admin.getByTestId("user-analyst@org-b.example");
  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("Deactivated");
  const page = await (await browser.newContext({ baseURL: running.baseURL })).newPage();
  await signInWithProvider(page, "analyst@org-b.example");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("This account has been deactivated. Ask an admin of your organization.", { timeout: 20_000 });
});
