import { e2eMode } from "./console-server";
import { DEMO_PASSWORD, expect, test } from "./fixtures";

const navByRole = {
  admin: ["Home", "Datasets", "Configured tables", "Collaborations", "Query workbench", "Query logs", "Audit log", "Users", "Settings"],
  owner: ["Home", "Datasets", "Configured tables", "Collaborations"],
  analyst: ["Home", "Collaborations", "Query workbench"],
};

for (const [prefix, labels] of Object.entries(navByRole)) {
  test(`${prefix} of org-a signs in and sees the navigation of the role`, async ({ page, signInPage }) => {
    await signInPage.signIn(`${prefix}@org-a.example`, DEMO_PASSWORD);
    await expect(signInPage.nav()).toHaveText(labels);
    await expect(page.getByTestId("organization-name")).toHaveText("Organization A");
  });
}

test("an org-b user sees their own organization", async ({ page, signInPage }) => {
  await signInPage.signIn("analyst@org-b.example", DEMO_PASSWORD);
  await expect(page.getByTestId("organization-name")).toHaveText("Organization B");
  await expect(page.getByText("AWS account 222222222222")).toBeVisible();
});

test("a wrong password shows an error and keeps the visitor signed out", async ({ page, signInPage }) => {
  await signInPage.goto();
  await signInPage.fill("analyst@org-a.example", "not-the-password");
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong e-mail or password.");
  await expect(page.getByLabel("E-mail")).toHaveValue("analyst@org-a.example");
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("repeated failures for one e-mail are rate-limited with a clear message", async ({ page, signInPage }) => {
  await signInPage.goto();
  for (let attempt = 0; attempt < 5; attempt++) {
    await signInPage.fill("owner@org-b.example", `wrong-${attempt}`);
    await expect(page.getByRole("main").getByRole("alert")).toHaveText("Wrong e-mail or password.");
  }
  // Even the right password is refused while the lock lasts.
  await signInPage.fill("owner@org-b.example", DEMO_PASSWORD);
  await expect(page.getByRole("main").getByRole("alert")).toContainText("Too many failed sign-ins. Try again in");
});

test("a signed-out visitor is sent to sign-in and comes back after signing in", async ({ page, signInPage }) => {
  for (const path of ["/", "/datasets", "/users", "/workbench"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/sign-in/);
  }
  await page.goto("/users");
  await expect(page).toHaveURL(/callbackUrl=%2Fusers/);
  await signInPage.fill("admin@org-a.example", DEMO_PASSWORD);
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
});

test("an analyst who opens admin pages is refused by the server", async ({ page, signInPage }) => {
  await signInPage.signIn("analyst@org-a.example", DEMO_PASSWORD);
  for (const path of ["/users", "/query-logs", "/datasets"]) {
    const response = await page.goto(path);
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  }
  // The refused page's content never reached the browser.
  expect(await page.content()).not.toContain("admin@org-a.example");
});

test("sign-out ends the session", async ({ page, signInPage }) => {
  await signInPage.signIn("owner@org-a.example", DEMO_PASSWORD);
  await signInPage.signOut();
  await page.goto("/datasets");
  await expect(page).toHaveURL(/\/sign-in/);
});

test("the health endpoint reports the metadata store", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  // In the aws-mode suite the console keeps its metadata in PostgreSQL, as aws mode requires.
  expect(await response.json()).toEqual({ status: "ok", db: e2eMode() === "aws" ? "postgres" : "pglite" });
});
