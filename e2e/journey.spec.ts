import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import type { Browser, Page, TestInfo } from "@playwright/test";
import { recipeSampleOrgA, recipeSampleOrgB } from "../server/seed/recipe-samples";
import { e2eMode, startConsole, type RunningConsole } from "./console-server";
import { expect, expectAccessible, signedIn, test } from "./fixtures";

// The recipe's journey in a browser, on a console started on an empty data directory with
// SEED_DEMO=false and only the two organizations and their users in the store: each data owner
// uploads and configures a table, org-a's admin creates the collaboration, org-b's admin joins,
// and both data owners associate their tables. A screenshot of each step is kept.
const run = promisify(execFile);
const [orgA, orgB] = [recipeSampleOrgA, recipeSampleOrgB];

let running: RunningConsole;
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(240_000);
  running = await startConsole({ SEED_DEMO: "false" }, async (dataDir, store) => {
    await run(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "e2e/seed-organizations.ts"], { env: { ...process.env, DATA_DIR: dataDir, ...store } });
  });
});
test.afterAll(async () => {
  await running?.stop();
});

const as = (browser: Browser, email: string) => signedIn(browser, running.baseURL, email);

const shot = (page: Page, info: TestInfo, name: string) => page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });

async function uploadAndConfigure(page: Page, info: TestInfo, org: string, csv: string, columns: string[], extra: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "journey-"));
  const file = path.join(dir, `customer_data_${org}.csv`);
  fs.writeFileSync(file, csv);
  await page.goto("/datasets");
  await expect(page.getByText("No datasets yet")).toBeVisible();
  await page.getByLabel("CSV or Parquet file").setInputFiles(file);
  await page.getByLabel("Dataset name (the catalogue table's name)").fill("customers");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Uploaded customers: 10 rows, 6 columns" })).toBeVisible();
  await expect(page.getByRole("row", { name: /customers/ }).getByText("Catalogued")).toBeVisible({ timeout: 20_000 });
  await shot(page, info, `${org}-1-dataset`);
  await expectAccessible(page, "the datasets page");

  await page.goto("/configured-tables");
  const form = page.getByRole("form", { name: "Configure a table" });
  for (const column of columns) await form.getByRole("checkbox", { name: column }).check();
  await form.getByLabel("Name").fill(`${org.replace("-", "_")}_customers`);
  await form.getByRole("button", { name: "Create configured table" }).click();
  const rule = page.getByRole("form", { name: "Analysis rule" });
  await rule.getByLabel("customer_id: join column").check();
  await rule.getByLabel("customer_id: count distinct", { exact: true }).check();
  await rule.getByLabel(`${extra}: sum`, { exact: true }).check();
  await rule.getByLabel("age_group: dimension").check();
  await rule.getByLabel("region: dimension").check();
  await rule.getByLabel("customer_id: minimum distinct values per group").fill("3");
  await expect(page.getByRole("complementary", { name: "What partners can learn" })).toContainText("only in groups of at least 3 distinct customers");
  await rule.getByRole("button", { name: "Create rule" }).click();
  await expect(rule.getByRole("status")).toContainText("Saved the aggregation rule.");
  await shot(page, info, `${org}-2-configured-table`);
  await expectAccessible(page, "the configured table's rule editor");
}

test("the recipe's collaboration is set up in the browser, step by step", async ({ browser }, testInfo) => {
  test.setTimeout(180_000);
  const ownerA = await as(browser, "owner@org-a.example");
  await uploadAndConfigure(ownerA, testInfo, "org-a", orgA, ["customer_id", "age_group", "region", "purchase_amount"], "purchase_amount");

  // org-a's admin creates the collaboration, inviting org-b.
  const adminA = await as(browser, "admin@org-a.example");
  await adminA.goto("/collaborations");
  await expect(adminA.getByText("No collaborations yet")).toBeVisible();
  const create = adminA.getByRole("form", { name: "Create a collaboration" });
  await create.getByLabel("Name", { exact: true }).fill("Customer overlap");
  await create.getByLabel("Purpose").fill("Which customers do we share, by age group and region?");
  const invited = create.getByRole("group", { name: "Invited organization 1" });
  await invited.getByLabel("AWS account id (12 digits)").fill("2222");
  await invited.getByLabel("Display name").fill("Organization B");
  await create.getByRole("button", { name: "Create collaboration" }).click();
  await expect(create.getByText("Invited organization 1: An AWS account id is 12 digits.")).toBeVisible();
  await invited.getByLabel("AWS account id (12 digits)").fill("222222222222");
  await create.getByRole("button", { name: "Create collaboration" }).click();
  await expect(adminA.getByRole("heading", { name: "Customer overlap" })).toBeVisible();
  await expect(adminA.getByRole("table", { name: "Members" })).toContainText("Invited");
  await shot(adminA, testInfo, "3-collaboration-created");
  await expect(adminA.locator("[data-sonner-toast]")).toContainText("Created Customer overlap and invited Organization B.");
  await expectAccessible(adminA, "the collaboration page");

  // org-b's admin sees the invitation on the home page and joins.
  const adminB = await as(browser, "admin@org-b.example");
  const invitation = adminB.getByRole("region", { name: "Invitations" });
  await expect(invitation).toContainText("Customer overlap");
  await shot(adminB, testInfo, "4-invitation");
  await expectAccessible(adminB, "the home page with an invitation");
  await invitation.getByRole("button", { name: "Join Customer overlap" }).click();
  await expect(adminB.getByRole("main").getByRole("status")).toContainText("Your organization has joined. Data owners can now add configured tables");
  await expect(adminB.getByRole("table", { name: "Members" })).not.toContainText("Invited");

  // org-b's owner uploads, configures and associates its table.
  const ownerB = await as(browser, "owner@org-b.example");
  await uploadAndConfigure(ownerB, testInfo, "org-b", orgB, ["customer_id", "age_group", "region", "engagement_score"], "engagement_score");
  await ownerB.goto("/collaborations");
  await ownerB.getByRole("link", { name: "Customer overlap" }).click();
  const associateB = ownerB.getByRole("form", { name: "Add a configured table" });
  await associateB.getByLabel("Name in SQL").fill("org_b_customers");
  await associateB.getByRole("button", { name: "Add table" }).click();
  await expect(ownerB.getByRole("article", { name: "Table org_b_customers" })).toBeVisible();
  await shot(ownerB, testInfo, "5-org-b-associated");

  // org-a's owner associates its table and sees both, each with what its rule allows.
  await ownerA.goto("/collaborations");
  await ownerA.getByRole("link", { name: "Customer overlap" }).click();
  const associateA = ownerA.getByRole("form", { name: "Add a configured table" });
  await associateA.getByLabel("Name in SQL").fill("org_a_customers");
  await associateA.getByRole("button", { name: "Add table" }).click();
  const tableA = ownerA.getByRole("article", { name: "Table org_a_customers" });
  const tableB = ownerA.getByRole("article", { name: "Table org_b_customers" });
  await expect(tableA).toContainText("Partners can sum purchase amounts and count distinct customers by age_group and region");
  await expect(tableB).toContainText("from Organization B");
  await expect(tableB).toContainText("Partners can sum engagement scores and count distinct customers by age_group and region");
  await expect(ownerA.getByRole("table", { name: "Members" })).not.toContainText("Invited");
  await shot(ownerA, testInfo, "6-both-tables");
  await expectAccessible(ownerA, "the collaboration page with both tables");
  await ownerA.goto("/collaborations");
  await expectAccessible(ownerA, "the collaborations list");

  // What org-b's people see of org-a is what the collaboration shows: never its datasets.
  await ownerB.goto("/datasets");
  await expect(ownerB.getByRole("link", { name: "customers" })).toHaveCount(1);
  const analystB = await as(browser, "analyst@org-b.example");
  await analystB.goto("/collaborations");
  await analystB.getByRole("link", { name: "Customer overlap" }).click();
  await expect(analystB.getByRole("article", { name: "Table org_a_customers" })).toContainText("They can never see the values of customer_id and purchase_amount");
  await expect(analystB.getByRole("button", { name: "Leave collaboration" })).toHaveCount(0);
  await expect(analystB.getByRole("form", { name: "Add a configured table" })).toHaveCount(0);

  // org-a's admin links the collaboration to its QuickSight dashboard (only a QuickSight link passes).
  await adminA.goto("/collaborations");
  await adminA.getByRole("link", { name: "Customer overlap" }).click();
  const dashboard = adminA.getByRole("form", { name: "QuickSight dashboard" });
  await dashboard.getByLabel("QuickSight dashboard link (leave empty for none)").fill("https://evil.example/sn/dashboards/x");
  await dashboard.getByRole("button", { name: "Save link" }).click();
  await expect(dashboard.getByText("Paste the https link of a QuickSight dashboard")).toBeVisible();
  const dashboardUrl = "https://us-east-1.quicksight.aws.amazon.com/sn/dashboards/customer-overlap-1";
  await dashboard.getByLabel("QuickSight dashboard link (leave empty for none)").fill(dashboardUrl);
  await dashboard.getByRole("button", { name: "Save link" }).click();
  await expect(dashboard.getByRole("status")).toContainText("now link to the QuickSight dashboard");

  // Promote to AWS: the creator's admin downloads the design as an AWS CLI script and a
  // CloudFormation template (server/promote/promote.test.ts runs such a script end to end).
  const downloaded = async (name: string) => {
    const download = adminA.waitForEvent("download");
    await adminA.getByRole("region", { name: "Promote to AWS" }).getByRole("link", { name }).click();
    return fs.readFileSync(await (await download).path(), "utf8");
  };
  const script = await downloaded("AWS CLI script");
  expect(script).toMatch(/^#!\/usr\/bin\/env bash/);
  expect(script).toContain("cleanrooms create-collaboration --name 'Customer overlap'");
  expect(script).toContain("create-configured-table-association --name 'org_b_customers'");
  const template = JSON.parse(await downloaded("CloudFormation template")) as { Resources: Record<string, { Type: string }> };
  expect(Object.values(template.Resources).filter((r) => r.Type === "AWS::CleanRooms::ConfiguredTable")).toHaveLength(2);

  // org-a's analyst queries org-a's table in the workbench: status, table, chart, CSV.
  const analystA = await as(browser, "analyst@org-a.example");
  await analystA.goto("/workbench");
  await analystA.getByRole("link", { name: /Customer overlap/ }).click();
  await expect(analystA.getByRole("complementary", { name: "Tables you can query" })).toContainText("org_b_customers");
  const editor = analystA.locator(".cm-content");
  await editor.fill("SELECT region, COUNT(DISTINCT customer_id) AS customers, SUM(purchase_amount) AS revenue FROM org_a_customers GROUP BY region");
  // The rules' verdict comes as you type, before Run.
  await expect(analystA.getByTestId("query-check")).toContainText("The aggregation rules of the tables it reads allow this query.");
  await editor.press("Control+Enter");
  await expect(analystA.getByTestId("query-status")).toHaveText("SUCCESS", { timeout: 30_000 });
  const rows = analystA.getByRole("table", { name: "Result rows" });
  await expect(rows.getByRole("row")).toHaveCount(4);
  await expect(analystA.getByRole("img", { name: "Bar chart of customers by region" })).toBeVisible();
  await expect(analystA.getByRole("link", { name: "Open in QuickSight" })).toHaveAttribute("href", dashboardUrl);
  await shot(analystA, testInfo, "7-workbench-result");
  await expectAccessible(analystA, "the workbench with a result");
  const download = analystA.waitForEvent("download");
  await analystA.getByRole("link", { name: "Download CSV" }).click();
  const csv = fs.readFileSync(await (await download).path(), "utf8");
  expect(csv.split("\n")[0]).toBe("region,customers,revenue");

  // The result, with the chart shown, published as the collaboration's QuickSight dashboard. In
  // local mode its link opens the console's drawing of it; in aws mode the link opens QuickSight,
  // and the console draws the same dashboard from AWS.
  const publish = analystA.getByRole("form", { name: "Publish to QuickSight" });
  await publish.getByLabel("Dashboard title").fill("Customers by region");
  await publish.getByRole("button", { name: "Publish to QuickSight" }).click();
  await expect(publish.getByRole("status")).toHaveText("Published to QuickSight.", { timeout: 20_000 });
  const href = (await publish.getByRole("link", { name: "Open the dashboard" }).getAttribute("href"))!;
  if (e2eMode() === "aws") expect(href).toMatch(/^https:\/\/us-east-1\.quicksight\.aws\.amazon\.com\/sn\/dashboards\/cleanrooms-[\w-]+$/);
  else expect(href).toMatch(/^\/dashboards\/cleanrooms-[\w-]+$/);
  const dashboardPage = await analystA.context().newPage();
  await dashboardPage.goto(`/dashboards/${href.split("/").pop()}`);
  await expect(dashboardPage.getByRole("heading", { name: "Customers by region" }).first()).toBeVisible();
  await expect(dashboardPage.getByRole("img", { name: "Bar chart of customers by region" })).toBeVisible();
  await shot(dashboardPage, testInfo, "7-dashboard");
  await expectAccessible(dashboardPage, "a published dashboard");
  await dashboardPage.close();

  // A query the rules forbid: the check names the rule and the column, underlined where it is;
  // Run refuses it with the rule's reason.
  await editor.fill("SELECT region, customer_id, SUM(purchase_amount) FROM org_a_customers GROUP BY region");
  await expect(analystA.getByTestId("query-check")).toContainText('Column "customer_id" of "org_a_customers" is a join column');
  await expect(analystA.locator(".cm-lintRange-error")).toHaveText("customer_id");
  await shot(analystA, testInfo, "7-workbench-check");
  await analystA.getByRole("button", { name: "Run", exact: true }).click();
  await expect(analystA.getByRole("form", { name: "Query" }).getByRole("alert")).toContainText('Column "customer_id" of "org_a_customers" is a join column');

  // org-b contributes data only: its analyst sees the tables, but cannot run.
  const analystOfB = await as(browser, "analyst@org-b.example");
  await analystOfB.goto("/workbench");
  await analystOfB.getByRole("link", { name: /Customer overlap/ }).click();
  await expect(analystOfB.getByRole("button", { name: "Run" })).toBeDisabled();
  await expect(analystOfB.getByText("Your organization cannot run queries in this collaboration")).toBeVisible();

  // org-a's admin sees both of the analyst's attempts in the query logs, and can export them.
  await adminA.goto("/query-logs");
  const logged = adminA.getByRole("table", { name: "Logged queries" });
  await expect(logged.getByRole("row")).toHaveCount(3);
  await expect(logged).toContainText("REFUSED");
  await expect(logged).toContainText("SUCCESS");
  await expect(logged).toContainText("analyst@org-a.example");
  await expectAccessible(adminA, "the query logs");
  const exported = await adminA.request.get(`${running.baseURL}/api/query-logs?status=SUCCESS`);
  expect((await exported.text()).trim().split("\n")).toHaveLength(2);

  // org-a's admin finds every step of the journey in the audit log, and the chain intact.
  await adminA.goto("/audit");
  const audit = adminA.getByRole("table", { name: "Audit entries" });
  for (const action of ["datasets.upload", "configuredTables.create", "configuredTables.saveRule", "collaborations.create", "collaborations.associateTable", "queries.run", "auth.signIn"]) {
    await expect(audit.getByRole("cell", { name: action, exact: true }).first()).toBeVisible();
  }
  await expect(audit.getByRole("row", { name: /collaborations\.create/ }).filter({ hasText: "Refused or failed" })).toContainText("Check the highlighted fields.");
  await adminA.getByRole("form", { name: "Filter the audit log" }).getByLabel("Area").selectOption("datasets.");
  await adminA.getByRole("button", { name: "Filter" }).click();
  await expect(audit.getByRole("row")).toHaveCount(2);
  await adminA.getByRole("button", { name: "Verify the chain" }).click();
  await expect(adminA.getByRole("form", { name: "Verify the audit log" }).getByRole("status")).toContainText("The chain is intact");
  await shot(adminA, testInfo, "8-audit-log");
  await expectAccessible(adminA, "the audit log");

  // At tablet width the pages keep to the screen: wide tables scroll inside their own box.
  await ownerA.setViewportSize({ width: 820, height: 1180 });
  for (const path of ["/datasets", "/configured-tables", "/collaborations", analystB.url().replace(running.baseURL, "")]) {
    await ownerA.goto(path);
    const overflow = await ownerA.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `horizontal overflow of ${path} at 820 px`).toBeLessThanOrEqual(0);
  }
  await ownerA.goto("/configured-tables");
  await ownerA.getByRole("link", { name: "org_a_customers" }).click();
  await expect(ownerA.getByRole("form", { name: "Analysis rule" })).toBeVisible();
  expect(await ownerA.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth), "horizontal overflow of the rule editor at 820 px").toBeLessThanOrEqual(0);
  await shot(ownerA, testInfo, "9-tablet");
});
