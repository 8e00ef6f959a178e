import type { TestInfo, Page } from "@playwright/test";
import { startConsole, type RunningConsole } from "./console-server";
import { expect, expectAccessible, signedIn, test } from "./fixtures";

// The newcomer's demo: a console started as `npm start` starts it, with the demo's data (the
// recipe's files and 100,000 synthetic customers per organization). The demo analyst opens the
// seeded collaboration, runs the suggested query and sees the chart; then runs the analysis
// template with a value of their own. Screenshots of each step are kept.
let running: RunningConsole;
let startedIn = 0;
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const started = Date.now();
  running = await startConsole({ SEED_DEMO: "true", SEED_DEMO_CUSTOMERS: "100000" });
  startedIn = Date.now() - started;
});
test.afterAll(async () => {
  await running?.stop();
});

const shot = (page: Page, info: TestInfo, name: string) => page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });

test("the demo analyst runs the suggested query and sees the chart", async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  testInfo.annotations.push({ type: "console start with the demo's data", description: `${(startedIn / 1000).toFixed(1)} s` });
  const signInAt = Date.now();
  const analyst = await signedIn(browser, running.baseURL, "analyst@org-a.example");
  await analyst.goto("/workbench");
  await analyst.getByRole("link", { name: /analytics-collaboration/ }).click();
  await expect(analyst.getByRole("complementary", { name: "Tables you can query" })).toContainText("org_b_customers");
  await expect(analyst.locator(".cm-content")).toContainText("shared_customers");
  await expect(analyst.getByTestId("query-check")).toContainText("allow this query");
  await shot(analyst, testInfo, "1-suggested-query");
  await analyst.getByRole("button", { name: "Run", exact: true }).click();
  await expect(analyst.getByTestId("query-status")).toHaveText("SUCCESS", { timeout: 60_000 });
  await expect(analyst.getByRole("img", { name: /Bar chart of .* by age_group/ })).toBeVisible();
  await expect(analyst.getByRole("table", { name: "Result rows" }).getByRole("row")).toHaveCount(7);
  testInfo.annotations.push({ type: "sign-in to chart", description: `${((Date.now() - signInAt) / 1000).toFixed(1)} s` });
  await shot(analyst, testInfo, "2-chart");
  await expectAccessible(analyst, "the demo's workbench with a chart");

  // The analysis template, from its form, with a value of the analyst's, as Parquet.
  await analyst.getByLabel("Run", { exact: true }).selectOption({ label: "Analysis template: big_spenders_by_region" });
  const form = analyst.getByRole("form", { name: "Analysis template" });
  await expect(form.getByLabel("The template's SQL")).toContainText(":min_purchase");
  await form.getByLabel("min_purchase (double)").fill("400");
  await form.getByLabel("Result as").selectOption("PARQUET");
  await form.getByRole("button", { name: "Run template" }).click();
  await expect(analyst.getByTestId("query-status")).toHaveText("SUCCESS", { timeout: 60_000 });
  await expect(analyst.getByRole("table", { name: "Result rows" }).getByRole("row")).toHaveCount(6);
  await shot(analyst, testInfo, "3-template");
  await expectAccessible(analyst, "the analysis template's form and result");

  // The history lists both queries with their status and duration; the template's opens again
  // as the template, with the value it ran with.
  await analyst.goto("/workbench");
  const history = analyst.getByRole("table", { name: "Your recent queries" });
  await expect(history.getByRole("row")).toHaveCount(3);
  await expect(history.getByRole("row").nth(1)).toContainText(/SUCCESS\s*\d+\.\d s/);
  await history.getByRole("link", { name: "Template big_spenders_by_region" }).click();
  await expect(analyst.getByLabel("Run", { exact: true })).toHaveValue(/analysistemplate/);
  await expect(analyst.getByRole("form", { name: "Analysis template" }).getByLabel("min_purchase (double)")).toHaveValue("400");
});

test("a result of 100,000 rows is paged, sorted and charted by its largest groups", async ({ browser }, testInfo) => {
  test.setTimeout(120_000);
  const analyst = await signedIn(browser, running.baseURL, "analyst@org-a.example");
  await analyst.goto("/workbench");
  await analyst.getByRole("link", { name: /analytics-collaboration/ }).click();
  const editor = analyst.locator(".cm-content");
  await editor.fill("SELECT product_category, purchase_amount FROM org_a_purchases");
  await expect(analyst.getByTestId("query-check")).toContainText("allow this query");
  const ranAt = Date.now();
  await editor.press("Control+Enter");
  await expect(analyst.getByTestId("query-status")).toHaveText("SUCCESS", { timeout: 60_000 });
  const result = analyst.getByRole("region", { name: "Result" });
  await expect(result).toContainText("100,000 rows");
  await expect(result).toContainText("The chart shows the 30 largest of 100,000 groups; the table has them all.");
  testInfo.annotations.push({ type: "Run to chart at 100,000 rows", description: `${((Date.now() - ranAt) / 1000).toFixed(1)} s` });
  const rows = analyst.getByRole("table", { name: "Result rows" }).getByRole("row");
  await expect(rows).toHaveCount(51);
  await expect(analyst.getByText("Page 1 of 2,000")).toBeVisible();
  await analyst.getByRole("button", { name: "Next" }).click();
  await expect(analyst.getByText("Page 2 of 2,000")).toBeVisible();
  // Sorting all 100,000 rows by amount puts the largest first.
  await analyst.getByRole("button", { name: "purchase_amount" }).click();
  await analyst.getByRole("button", { name: "purchase_amount ↑" }).click();
  await expect(analyst.getByRole("columnheader", { name: "purchase_amount ↓" })).toHaveAttribute("aria-sort", "descending");
  const amounts = (await rows.locator("td:nth-child(2)").allTextContents()).map(Number);
  expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
  await shot(analyst, testInfo, "4-large-result");
});
