import { expect, type Page } from "@playwright/test";

export class SignInPage {
  constructor(private readonly page: Page) {}

  async goto(path = "/sign-in") {
    await this.page.goto(path);
  }

  /** Submits the form once the previous submission has finished (React resets fields after each). */
  async fill(email: string, password: string) {
    const submit = this.page.getByRole("button", { name: "Sign in", exact: true });
    await expect(submit).toBeEnabled();
    await this.page.getByLabel("E-mail").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await submit.click();
  }

  /** Signs in from the sign-in page and waits for the console's shell. */
  async signIn(email: string, password: string) {
    await this.goto();
    await this.fill(email, password);
    await expect(this.page.getByRole("navigation", { name: "Main" })).toBeVisible();
  }

  async signOut() {
    await this.page.locator("summary", { hasText: "Open user menu" }).click();
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page).toHaveURL(/\/sign-in/);
  }

  nav() {
    return this.page.getByRole("navigation", { name: "Main" }).getByRole("link");
  }
}
