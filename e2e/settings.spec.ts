import { DEMO_PASSWORD, expect, expectAccessible, test } from "./fixtures";

// In local mode the console acts with the local cloud's keys; an admin may still prepare the
// organization's AWS access for the day it runs in aws mode, with the same checks.
test("in local mode an admin prepares the organization's AWS access; a role of another account is refused", async ({ page, signInPage }) => {
  await signInPage.signIn("admin@org-b.example", DEMO_PASSWORD);
  await page.goto("/settings");
  await expect(page.getByText("The console runs in local mode")).toBeVisible();
  await expect(page.getByRole("button", { name: "Test connection" })).toHaveCount(0);
  await expect(page.getByTestId("external-id")).toHaveText(/^cleanrooms-[a-z2-7]{20}$/);
  await expectAccessible(page, "the settings page in local mode");

  await page.getByLabel("Role ARN").fill("arn:aws:iam::111111111111:role/cleanrooms-console-access");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("The role belongs to account 111111111111, not to your organization's account 222222222222.")).toBeVisible();
  await page.getByLabel("Role ARN").fill("arn:aws:iam::222222222222:role/cleanrooms-console-access");
  await page.getByLabel("Region").fill("eu-west-1");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText("Saved. The console uses these settings when it runs in aws mode.");
  await page.reload();
  await expect(page.getByLabel("Role ARN")).toHaveValue("arn:aws:iam::222222222222:role/cleanrooms-console-access");
  await expect(page.getByLabel("Region")).toHaveValue("eu-west-1");
  // The policies to copy name the chosen region.
  await expect(page.getByLabel("Permission policy (Console access)")).toContainText("arn:aws:glue:eu-west-1:222222222222:catalog");
});
