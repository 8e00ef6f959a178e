import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEMO_PASSWORD, expect, expectAccessible, test } from "./fixtures";
import { SignInPage } from "./pages/sign-in";

// A data owner uploads the recipe's sample customers file through the browser, watches it upload
// and get catalogued, and reviews its columns and first rows; a bad file is refused with the
// reason; another organization sees none of it.
const sample =
  [
    "customer_id,age_group,region,purchase_amount",
    ...Array.from({ length: 40 }, (_, i) => `${i + 1},${["18-24", "25-34", "35-44"][i % 3]},${["north", "south", "east"][i % 3]},${(i * 12.5).toFixed(2)}`),
  ].join("\n") + "\n";

function file(name: string, content: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-upload-"));
  const target = path.join(dir, name);
  fs.writeFileSync(target, content);
  return target;
}

test("a data owner uploads, catalogues and previews a dataset; a bad file is refused; another organization sees nothing", async ({ page, browser, baseURL, signInPage }, testInfo) => {
  await signInPage.signIn("owner@org-a.example", DEMO_PASSWORD);
  await page.goto("/datasets");
  await expect(page.getByText("No datasets yet")).toBeVisible();

  await page.getByLabel("CSV or Parquet file").setInputFiles(file("customer_data_org_a.csv", sample));
  await expect(page.getByLabel("Dataset name (the catalogue table's name)")).toHaveValue("customer_data_org_a");
  await page.getByLabel("Dataset name (the catalogue table's name)").fill("customers");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Uploaded customers: 40 rows, 4 columns" })).toBeVisible();
  const row = page.getByRole("row", { name: /customers/ });
  await expect(row.getByText("Catalogued")).toBeVisible({ timeout: 20_000 });
  await expect(row).toContainText("4");
  await page.screenshot({ path: testInfo.outputPath("datasets-uploaded.png"), fullPage: true });

  await row.getByRole("link", { name: "customers" }).click();
  await expect(page.getByRole("heading", { name: "customers" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Columns" }).getByRole("row")).toHaveCount(5);
  await expect(page.getByRole("table", { name: "Columns" })).toContainText("purchase_amount");
  await expect(page.getByRole("table", { name: "Preview" }).getByRole("row")).toHaveCount(21);
  await expect(page.getByRole("table", { name: "Preview" }).getByRole("row").nth(1)).toContainText("18-24");
  await page.screenshot({ path: testInfo.outputPath("dataset-detail.png"), fullPage: true });
  await expectAccessible(page, "the dataset page");

  // A ragged file is refused with the reason, and no dataset is made of it.
  await page.goto("/datasets");
  await page.getByLabel("CSV or Parquet file").setInputFiles(file("ragged.csv", "a,b\n1,2\n3\n"));
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Row 3 has 1 field where the header has 2." })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("link", { name: "ragged" })).toHaveCount(0);

  // On AWS the crawler needs an IAM role: its policies name only this organization's bucket and database.
  await page.getByText("On AWS: the Glue crawler role").click();
  const permissions = page.getByLabel("Permission policy (Glue crawler)");
  await expect(permissions).toContainText('"arn:aws:s3:::cleanrooms-data-111111111111/datasets/*"');
  await expect(permissions).toContainText("database/cleanrooms_datasets");
  await expect(page.getByLabel("Trust policy (Glue crawler)")).toContainText('"Service": "glue.amazonaws.com"');
  await expectAccessible(page, "the datasets page with the crawler role's policies");

  // Another organization's admin (who may manage datasets) sees none, and org-a's page is not found for them.
  const other = await browser.newContext({ baseURL });
  const theirs = await other.newPage();
  await new SignInPage(theirs).signIn("admin@org-b.example", DEMO_PASSWORD);
  await theirs.goto("/datasets");
  await expect(theirs.getByText("No datasets yet")).toBeVisible();
  await theirs.goto("/datasets/customers");
  await expect(theirs.getByText(/not found|could not be found/i).first()).toBeVisible();
  const status = await theirs.request.get("/api/datasets?name=customers");
  expect(status.status()).toBe(404);
  await other.close();

  // Deleting asks for confirmation first.
  await page.goto("/datasets/customers");
  await page.getByRole("button", { name: "Delete dataset" }).click();
  await page.getByRole("button", { name: "Yes, delete" }).click();
  await expect(page).toHaveURL(/\/datasets$/);
  await expect(page.getByText("No datasets yet")).toBeVisible();
});
