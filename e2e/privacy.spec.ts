import { startConsole, type RunningConsole } from "./console-server";
import { expect, expectAccessible, signedIn, test } from "./fixtures";

// Differential privacy in the console, on the demo's "privacy-collaboration": org-b's admin
// previews and sets the budget; org-a's analyst sees what a query will spend, runs it, sees the
// noise and the budget go down, and cannot run it again once the budget cannot cover it; the
// query log shows what was spent.
let running: RunningConsole;
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  running = await startConsole({ SEED_DEMO: "true", SEED_DEMO_CUSTOMERS: "10000" });
});
test.afterAll(async () => {
  await running?.stop();
});

test("the protecting member's admin previews and sets the privacy budget", async ({ browser }) => {
  const admin = await signedIn(browser, running.baseURL, "admin@org-b.example");
  await admin.goto("/collaborations");
  await admin.getByRole("link", { name: /privacy-collaboration/ }).click();
  const section = admin.getByRole("region", { name: "Differential privacy" });
  await expect(section).toContainText("org_b_audience answers only with noisy aggregates");
  // The seeded budget: epsilon 5, noise for 30 users: 75 COUNT queries.
  await expect(section.getByTestId("budget-COUNT")).toHaveText("75");
  const form = section.getByRole("form", { name: "Privacy budget" });
  await expect(form.getByRole("note")).toContainText("refreshes on the 1st of each month");
  await form.getByLabel("Epsilon (1–20)").fill("1");
  await form.getByLabel("Users of noise per query (10–100)").fill("10");
  // The preview follows the fields: ⌊1·10/2⌋ COUNT, ⌊1·10/5⌋ STDDEV.
  await expect(form.getByTestId("preview-COUNT")).toHaveText("5");
  await expect(form.getByTestId("preview-STDDEV")).toHaveText("2");
  await expectAccessible(admin, "the collaboration's privacy budget form");
  await form.getByRole("button", { name: "Update budget" }).click();
  await expect(form.getByRole("status")).toContainText("ε 1, noise for 10 users per query");
  await admin.reload();
  await expect(admin.getByRole("region", { name: "Differential privacy" }).getByTestId("budget-COUNT")).toHaveText("5");
});

test("the analyst sees the cost and the noise, and cannot overspend", async ({ browser }) => {
  const analyst = await signedIn(browser, running.baseURL, "analyst@org-a.example");
  await analyst.goto("/workbench");
  await analyst.getByRole("link", { name: /privacy-collaboration/ }).click();
  const budget = analyst.getByRole("region", { name: "Privacy budget" });
  await expect(budget.getByTestId("budget-COUNT")).toHaveText("5");
  await expect(analyst.locator(".cm-content")).toContainText("shared_customers");
  await expect(analyst.getByTestId("query-check")).toContainText("Differential privacy allows this query");
  // Contribution limit, selection, the range of engagement_score, COUNT DISTINCT, AVG's sum and count.
  await expect(analyst.getByTestId("query-cost")).toContainText("Spends ε 0.6 (6 noisy measurements, each 1/10 of ε)");
  await expect(analyst.getByTestId("query-cost")).toContainText("shared_customers (COUNT DISTINCT): error about ±10");
  await analyst.getByRole("button", { name: "Run", exact: true }).click();
  await expect(analyst.getByTestId("query-status")).toHaveText("SUCCESS", { timeout: 60_000 });
  await expect(analyst.getByTestId("result-noise")).toContainText("count(DISTINCT b.customer_id): typically within ±");
  // 6,000 shared customers: even the smallest age group (8%, about 480) is far above the 186 users a group needs at noise 10.
  await expect(analyst.getByTestId("query-cost")).toContainText("a group needs about 186 users");
  await expect(analyst.getByTestId("result-noise")).toContainText("Groups with fewer than about 186 users (after noise) are left out");
  await expect(analyst.getByRole("table", { name: "Result rows" }).getByRole("row")).toHaveCount(7);
  // 0.4 of epsilon is left: 2 COUNT queries' worth, and not enough for this one.
  await expect(budget.getByTestId("budget-COUNT")).toHaveText("2");
  await expect(analyst.getByTestId("query-cost")).toContainText("The budget left cannot cover it.");
  await expect(analyst.getByRole("button", { name: "Run", exact: true })).toBeDisabled();
  await expectAccessible(analyst, "the workbench with a differentially private result");

  const admin = await signedIn(browser, running.baseURL, "admin@org-a.example");
  await admin.goto("/query-logs");
  const log = admin.getByRole("table", { name: "Logged queries" });
  await expect(log.getByRole("row").nth(1)).toContainText("ε 0.6");
});
