import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_PASSWORD, expect, expectAccessible, test } from "./fixtures";
import { SignInPage } from "./pages/sign-in";

// A data owner configures a table from a catalogued dataset, ticks its columns, writes an
// aggregation rule with the summary of what partners will learn beside it, and finds the dataset
// protected from deletion while the table uses it. The spec leaves nothing behind.
const sample =
  ["customer_id,age_group,region,purchase_amount,email", ...Array.from({ length: 30 }, (_, i) => `${i + 1},${["18-24", "25-34"][i % 2]},${["north", "south"][i % 2]},${i * 10},c${i}@a.example`)].join(
    "\n",
  ) + "\n";

test("a data owner configures a table, gives it an aggregation rule, and cannot delete the dataset under it", async ({ page, browser, baseURL, signInPage }, testInfo) => {
  await signInPage.signIn("owner@org-a.example", DEMO_PASSWORD);
  await page.goto("/configured-tables");
  await expect(page.getByText("First upload a dataset")).toBeVisible();

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-ct-"));
  fs.writeFileSync(path.join(dir, "crm.csv"), sample);
  await page.goto("/datasets");
  await page.getByLabel("CSV or Parquet file").setInputFiles(path.join(dir, "crm.csv"));
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("row", { name: /crm/ }).getByText("Catalogued")).toBeVisible({ timeout: 20_000 });

  await page.goto("/configured-tables");
  const form = page.getByRole("form", { name: "Configure a table" });
  await form.getByLabel("Dataset").selectOption("crm");
  for (const column of ["customer_id", "age_group", "region", "purchase_amount"]) await form.getByRole("checkbox", { name: column }).check();
  await form.getByLabel("Name").fill("crm_customers");
  await form.getByRole("button", { name: "Create configured table" }).click();
  await expect(page.getByRole("heading", { name: "crm_customers" })).toBeVisible();
  await expect(page.getByText("This table has no analysis rule yet")).toBeVisible();
  await expect(page.locator("[data-sonner-toast]")).toContainText("Created crm_customers. Now choose the analysis rule that guards it.");

  // An incomplete rule says what is missing, beside the columns, before anything is sent.
  const rule = page.getByRole("form", { name: "Analysis rule" });
  await rule.getByRole("button", { name: "Create rule" }).click();
  await expect(rule.getByText("Choose at least one column to aggregate, with its function.")).toBeVisible();

  await rule.getByLabel("customer_id: join column").check();
  await rule.getByLabel("customer_id: count distinct", { exact: true }).check();
  await rule.getByLabel("purchase_amount: sum", { exact: true }).check();
  await rule.getByLabel("age_group: dimension").check();
  await rule.getByLabel("region: dimension").check();
  await rule.getByLabel("customer_id: minimum distinct values per group").fill("3");
  const summary = page.getByRole("complementary", { name: "What partners can learn" });
  await expect(summary).toContainText("Partners can sum purchase amounts and count distinct customers by age_group and region, only in groups of at least 3 distinct customers.");
  await expect(summary).toContainText("They can never see the values of customer_id and purchase_amount");
  await page.screenshot({ path: testInfo.outputPath("rule-editor.png"), fullPage: true });
  await rule.getByRole("button", { name: "Create rule" }).click();
  await expect(rule.getByRole("status")).toHaveText("Saved the aggregation rule. Partners see the table under this rule from their next query.");

  await page.reload();
  await expect(page.getByLabel("customer_id: minimum distinct values per group")).toHaveValue("3");
  await page.goto("/configured-tables");
  await expect(page.getByRole("row", { name: /crm_customers/ })).toContainText("Aggregation.");
  await expectAccessible(page, "the configured tables page");

  // Another organization's data manager cannot open it.
  const other = await browser.newContext({ baseURL });
  const theirs = await other.newPage();
  await new SignInPage(theirs).signIn("admin@org-b.example", DEMO_PASSWORD);
  await theirs.goto("/configured-tables");
  await expect(theirs.getByText("No configured tables yet")).toBeVisible();
  const tableUrl = await page.getByRole("link", { name: "crm_customers" }).getAttribute("href");
  await theirs.goto(tableUrl!);
  await expect(theirs.getByText(/not found|could not be found/i).first()).toBeVisible();
  await other.close();

  // The dataset under a configured table cannot be deleted; once the table is gone, it can.
  await page.goto("/datasets/crm");
  await page.getByRole("button", { name: "Delete dataset" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toContainText('"crm" cannot be deleted while the configured table crm_customers uses it. Delete it first.');

  await page.goto(tableUrl!);
  await page.getByRole("button", { name: "Delete configured table" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page).toHaveURL(/\/configured-tables$/);
  await page.goto("/datasets/crm");
  await page.getByRole("button", { name: "Delete dataset" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page).toHaveURL(/\/datasets$/);
  await expect(page.getByText("No datasets yet")).toBeVisible();
});
