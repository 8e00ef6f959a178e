import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startConsole, type RunningConsole } from "./console-server";
import { expect, signedIn, test } from "./fixtures";

// Several console instances side by side, as behind a load balancer: one PostgreSQL store, one
// AUTH_SECRET, nothing one instance needs kept in another's memory. A session made on one is good
// on the other, a dataset uploaded through one is seen catalogued through the other, and each
// assumes the organization's role on its own.
let first: RunningConsole;
let second: RunningConsole;
const shared = { AUTH_SECRET: "one-secret-for-every-instance-of-this-console-0123456789" };

test.beforeAll(async () => {
  test.setTimeout(240_000);
  first = await startConsole(shared);
  second = await startConsole({ ...first.env, ...shared });
});
test.afterAll(async () => {
  await second?.stop();
  await first?.stop();
});

test("two instances share sessions, datasets and crawls through the store", async ({ browser }) => {
  const page = await signedIn(browser, first.baseURL, "owner@org-a.example");
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "instances-")), "visits.csv");
  fs.writeFileSync(file, ["customer_id,region", ...Array.from({ length: 20 }, (_, i) => `${i + 1},${i % 2 ? "north" : "south"}`)].join("\n") + "\n");
  await page.goto(`${first.baseURL}/datasets`);
  await page.getByLabel("CSV or Parquet file").setInputFiles(file);
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Uploaded visits" })).toBeVisible();

  // The same browser session, on the other instance (cookies are per host, not per port).
  await page.goto(`${second.baseURL}/datasets`);
  await expect(page.getByTestId("organization-name")).toHaveText("Organization A");
  await expect(page.getByRole("row", { name: /visits/ }).getByText("Catalogued")).toBeVisible({ timeout: 30_000 });
  await page.goto(`${second.baseURL}/datasets/visits`);
  await expect(page.getByRole("cell", { name: "region" }).first()).toBeVisible();
  await page.context().close();

  const admin = await signedIn(browser, second.baseURL, "admin@org-a.example");
  await admin.goto(`${second.baseURL}/settings`);
  await admin.getByRole("button", { name: "Test connection" }).click();
  await expect(admin.getByRole("form", { name: "Connection test" }).getByRole("status")).toContainText("Connected to account 111111111111");
  await admin.goto(`${first.baseURL}/settings`);
  await expect(admin.getByText(/UTC, as arn:aws:sts::111111111111:assumed-role/)).toBeVisible();
  await admin.context().close();
});

test("a session signed out on one instance is refused by the other at once", async ({ browser }) => {
  const page = await signedIn(browser, first.baseURL, "analyst@org-a.example");
  await page.goto(`${second.baseURL}/workbench`);
  await expect(page.getByTestId("organization-name")).toHaveText("Organization A");
  const kept = (await page.context().cookies()).filter((c) => c.name.endsWith("authjs.session-token"));
  expect(kept).toHaveLength(1);
  await page.goto(`${first.baseURL}/workbench`);
  await page.locator("summary", { hasText: "Open user menu" }).click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in/);
  const replay = await browser.newContext();
  await replay.addCookies(kept);
  const replayed = await replay.newPage();
  await replayed.goto(`${second.baseURL}/workbench`);
  await expect(replayed).toHaveURL(/\/sign-in/);
  await replay.close();
  await page.context().close();
});
