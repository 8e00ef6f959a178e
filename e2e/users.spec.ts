import { DEMO_PASSWORD, expect, test } from "./fixtures";

test("an admin adds a user, changes their role and deactivates them", async ({ page, browser, signInPage, baseURL }) => {
  await signInPage.signIn("admin@org-a.example", DEMO_PASSWORD);
  await page.goto("/users");
  const email = `new.analyst.${Date.now()}@org-a.example`;

  await page.getByLabel("Name").fill("New Analyst");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption("analyst");
  await page.getByLabel("Initial password").fill("short");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  // Nothing typed is lost but the password, which is never sent back.
  await expect(page.getByLabel("Name")).toHaveValue("New Analyst");
  await expect(page.getByLabel("E-mail")).toHaveValue(email);

  await page.getByLabel("Initial password").fill("a-good-initial-password");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByRole("main").getByRole("status")).toHaveText(`Added ${email}.`);
  const row = page.getByTestId(`user-${email}`);
  await expect(row).toContainText("Active");

  // The new user signs in, in a browser of their own.
  const theirs = await browser.newContext({ baseURL });
  const theirPage = await theirs.newPage();
  await theirPage.goto("/sign-in");
  await theirPage.getByLabel("E-mail").fill(email);
  await theirPage.getByLabel("Password").fill("a-good-initial-password");
  await theirPage.getByRole("button", { name: "Sign in" }).click();
  await expect(theirPage.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Home", "Collaborations", "Query workbench"]);

  // A role change ends their session at once: they sign in again, under the new role.
  await row.getByLabel(`Role of ${email}`).selectOption("data_owner");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByLabel(`Role of ${email}`)).toHaveValue("data_owner");
  await theirPage.reload();
  await expect(theirPage).toHaveURL(/\/sign-in/);
  await theirPage.getByLabel("E-mail").fill(email);
  await theirPage.getByLabel("Password").fill("a-good-initial-password");
  await theirPage.getByRole("button", { name: "Sign in" }).click();
  await expect(theirPage.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Home", "Datasets", "Configured tables", "Collaborations"]);

  // Deactivation ends their session and stops them signing in again.
  await row.getByRole("button", { name: "Deactivate" }).click();
  await expect(row).toContainText("Deactivated");
  await theirPage.goto("/datasets");
  await expect(theirPage).toHaveURL(/\/sign-in/);
  await theirPage.getByLabel("E-mail").fill(email);
  await theirPage.getByLabel("Password").fill("a-good-initial-password");
  await theirPage.getByRole("button", { name: "Sign in" }).click();
  await expect(theirPage.getByRole("main").getByRole("alert")).toHaveText("This account has been deactivated. Ask an admin of your organization.");
  await theirs.close();
});

test("an admin sees only their own organization's users and cannot change their own role", async ({ page, signInPage }) => {
  await signInPage.signIn("admin@org-b.example", DEMO_PASSWORD);
  await page.goto("/users");
  await expect(page.getByTestId("user-analyst@org-b.example")).toBeVisible();
  await expect(page.getByText("@org-a.example")).toHaveCount(0);
  await expect(page.getByTestId("user-admin@org-b.example").getByRole("combobox")).toBeDisabled();
});
