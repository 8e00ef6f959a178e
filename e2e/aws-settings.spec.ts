import type { Page } from "@playwright/test";
import { DEMO_PASSWORD, expect, expectAccessible, signedIn, test } from "./fixtures";
import { consoleAccountId } from "./aws-mode";

// In aws mode, an admin sees how the console reaches the organization's account, tests the
// connection, and is told exactly why a wrong role, a role that does not trust the console, or
// the server's own credentials (another account's) cannot serve. Whatever the spec changes, it
// puts back: the other specs share this console.
const settingsForm = (page: Page) => page.getByRole("form", { name: "AWS access settings" });
const testForm = (page: Page) => page.getByRole("form", { name: "Connection test" });
/** Clicks Save and waits for the server action's answer (an earlier save may show the same message). */
async function save(page: Page) {
  await Promise.all([page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/settings"), page.getByRole("button", { name: "Save" }).click()]);
}
const goodRole = "arn:aws:iam::111111111111:role/cleanrooms-console-access";

test("an admin tests the connection, and each wrong setting is refused with its reason", async ({ page, signInPage }) => {
  await signInPage.signIn("admin@org-a.example", DEMO_PASSWORD);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(page.getByRole("heading", { name: "AWS access" })).toBeVisible();
  await expect(page.getByText("The console runs in aws mode")).toBeVisible();
  const externalId = (await page.getByTestId("external-id").textContent())!;
  expect(externalId).toMatch(/^cleanrooms-[a-z2-7]{20}$/);
  // The trust policy to copy names the console's account and this organization's external id.
  const trust = JSON.parse((await page.getByLabel("Trust policy (Console access)").textContent())!) as {
    Statement: { Principal: { AWS: string }; Condition: { StringEquals: Record<string, string> } }[];
  };
  expect(trust.Statement[0]!.Principal.AWS).toBe(`arn:aws:iam::${consoleAccountId}:root`);
  expect(trust.Statement[0]!.Condition.StringEquals["sts:ExternalId"]).toBe(externalId);
  await expect(page.getByLabel("Role ARN")).toHaveValue(goodRole);
  await expectAccessible(page, "the settings page");

  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(testForm(page).getByRole("status")).toHaveText(`Connected to account 111111111111 in us-east-1 as arn:aws:sts::111111111111:assumed-role/cleanrooms-console-access/cleanrooms-console.`);
  await expect(page.getByText(/UTC, as arn:aws:sts::111111111111:assumed-role/)).toBeVisible();

  // A role of another account is refused before anything is saved.
  await page.getByLabel("Role ARN").fill("arn:aws:iam::222222222222:role/cleanrooms-console-access");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("The role belongs to account 222222222222, not to your organization's account 111111111111.")).toBeVisible();
  await page.reload();
  await expect(page.getByLabel("Role ARN")).toHaveValue(goodRole);

  try {
    // A role that does not trust the console: saved, and the test says why it fails.
    await page.getByLabel("Role ARN").fill("arn:aws:iam::111111111111:role/not-created-yet");
    await save(page);
    await expect(settingsForm(page).getByRole("status")).toHaveText("Saved. Test the connection to check that the console can act for your account.");
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(testForm(page).getByRole("alert")).toContainText(
      `The console could not assume arn:aws:iam::111111111111:role/not-created-yet: User: arn:aws:iam::${consoleAccountId}:root is not authorized to perform: sts:AssumeRole`,
    );
    await expect(page.getByText("not tested since the settings last changed")).toBeVisible();

    // The server's own credentials belong to the console's account, not to this organization's.
    await page.getByLabel("The console server's own credentials", { exact: false }).check();
    await expect(page.getByLabel("Role ARN")).toHaveCount(0);
    await save(page);
    await expect(settingsForm(page).getByRole("status")).toHaveText("Saved. Test the connection to check that the console can act for your account.");
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect(testForm(page).getByRole("alert")).toContainText(`belong to account ${consoleAccountId}, not to your organization's account 111111111111`);
  } finally {
    await page.goto("/settings");
    await page.getByLabel("Assume a role in our account", { exact: false }).check();
    await page.getByLabel("Role ARN").fill(goodRole);
    await save(page);
    await expect(settingsForm(page).getByRole("status")).toContainText("Saved.");
  }
  await page.getByRole("button", { name: "Test connection" }).click();
  await expect(testForm(page).getByRole("status")).toContainText("Connected to account 111111111111");
});

test("only admins reach the settings", async ({ browser, baseURL }) => {
  for (const email of ["owner@org-a.example", "analyst@org-a.example"]) {
    const page = await signedIn(browser, baseURL!, email);
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" })).toHaveCount(0);
    const response = await page.goto("/settings");
    expect(response?.status()).toBe(403);
    await page.context().close();
  }
});
