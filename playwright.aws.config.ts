import { defineConfig } from "@playwright/test";
import local from "./playwright.config";

// The console's journeys again, with the console in aws mode: metadata in PostgreSQL and "AWS" a
// local cloud in another process reached through AWS_ENDPOINT_URL, each organization through the
// role it created for the console (e2e/aws-mode.ts). Specs about the local cloud itself, and those
// that need the demo collaboration (seeded in local mode only), run in the local suite alone.
process.env.E2E_MODE = "aws";

export default defineConfig({
  ...local,
  testIgnore: [],
  testMatch: ["auth.spec.ts", "users.spec.ts", "datasets.spec.ts", "configured-tables.spec.ts", "journey.spec.ts", "aws-settings.spec.ts", "instances.spec.ts"],
  outputDir: "test-results/aws",
});
