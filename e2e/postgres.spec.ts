import { createPostgresDatabase } from "../server/testing/postgres";
import { startConsole, type RunningConsole } from "./console-server";
import { DEMO_PASSWORD, expect, test } from "./fixtures";

// The scale-out option: the same console, schema and migrations on this machine's PostgreSQL.
let running: RunningConsole;
let database: Awaited<ReturnType<typeof createPostgresDatabase>>;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  database = await createPostgresDatabase();
  running = await startConsole({ DATABASE_URL: database.url });
});

test.afterAll(async () => {
  await running?.stop();
  await database?.drop();
});

test("with DATABASE_URL the console runs on PostgreSQL", async ({ page, request }) => {
  const health = await request.get(`${running.baseURL}/api/health`);
  expect(await health.json()).toEqual({ status: "ok", db: "postgres" });

  await page.goto(`${running.baseURL}/sign-in`);
  await page.getByLabel("E-mail").fill("admin@org-b.example");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByTestId("organization-name")).toHaveText("Organization B");
  await page.goto(`${running.baseURL}/users`);
  await expect(page.getByTestId("user-owner@org-b.example")).toContainText("Data owner");
});
