// npm start: build when needed, then serve the console (which migrates and seeds on boot), wait
// until it is healthy, and print where it is and how to sign in.
import { spawn } from "node:child_process";
import path from "node:path";
import { ensureAuthSecret } from "../server/auth/secret";
import { seedDemoEnabled } from "../server/config";
import { DEMO_PASSWORD, demoAccounts } from "../server/seed/demo-data";
import { buildIfNeeded } from "./build-if-needed";
import { serverNodeFlags } from "./node-flags";

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || "0.0.0.0";
const url = `http://localhost:${port}`;

function fail(message: string): never {
  console.error(`\nCannot start: ${message}\n`);
  process.exit(1);
}

async function waitForHealth(child: ReturnType<typeof spawn>): Promise<{ db: string }> {
  for (let attempt = 0; attempt < 600; attempt++) {
    if (child.exitCode !== null) fail(`the server stopped during start-up (exit code ${child.exitCode}); see the messages above.`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.ok) return (await response.json()) as { db: string };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  fail("the server did not become healthy within 150 seconds.");
}

function printBanner(db: string) {
  const lines = [``, `Clean Rooms Console is running at ${url}  (metadata store: ${db})`];
  if (seedDemoEnabled()) {
    lines.push(``, `Demo accounts (password: ${DEMO_PASSWORD}):`);
    for (const account of demoAccounts()) lines.push(`  ${account.email.padEnd(26)} ${account.role}`);
  }
  lines.push(``, `Press Ctrl+C to stop.`, ``);
  console.log(lines.join("\n"));
}

async function main() {
  try {
    // Fails before a long build when production settings are incomplete; generates one otherwise.
    process.env.AUTH_SECRET = ensureAuthSecret();
    buildIfNeeded();
  } catch (error) {
    fail((error as Error).message);
  }
  const child = spawn(process.execPath, [...serverNodeFlags, path.join("node_modules", "next", "dist", "bin", "next"), "start", "-p", String(port), "-H", host], {
    stdio: "inherit",
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  const { db } = await waitForHealth(child);
  printBanner(db);
}

void main();
