import { defineConfig } from "@playwright/test";

// The suite starts the console itself (e2e/global-setup.ts) on free ports with a throwaway data
// directory, and drives Debian's Chromium: Playwright's own browser download is not used.
export default defineConfig({
  testDir: "./e2e",
  // Runs in the aws-mode suite only (playwright.aws.config.ts).
  testIgnore: ["aws-settings.spec.ts", "instances.spec.ts"],
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
    },
    trace: "retain-on-failure",
  },
});
