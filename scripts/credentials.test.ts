import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openDatabase, setProcessDatabase } from "@/server/db/client";
import { accessKeyForAccount } from "@/server/local-keys/access-keys";
import { seedDemo } from "@/server/seed/demo";
import { freePort } from "@/server/testing/server-process";

// `npm run credentials -- <org>` with the console stopped: nothing answers on its port, so the
// command opens the embedded store itself (a new process, on the same DATA_DIR) and prints the
// organization's keys, the same the local cloud accepts.
const run = promisify(execFile);
let dataDir: string;
const env = () => ({ ...process.env, DATA_DIR: dataDir, LOCAL_CLOUD_SECRET: "credentials-test-secret-0123456789abcdef", AUTH_SECRET: "credentials-test-auth-secret-0123456789", DATABASE_URL: "" });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "credentials-"));
  Object.assign(process.env, { DATA_DIR: dataDir, LOCAL_CLOUD_SECRET: env().LOCAL_CLOUD_SECRET });
  const database = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  await setProcessDatabase(database);
  await seedDemo();
  await setProcessDatabase(undefined); // closes it
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it("prints an organization's keys from the store when no console is running", async () => {
  const port = await freePort();
  const { stdout } = await run(process.execPath, ["--import", "tsx", "scripts/credentials.ts", "org-a"], { env: { ...env(), PORT: String(port) }, timeout: 120_000 });
  const exported = Object.fromEntries([...stdout.matchAll(/export (\w+)=['"]?([^'"\n]+)['"]?/g)].map((m) => [m[1], m[2]]));
  expect(exported.AWS_ACCESS_KEY_ID).toMatch(/^AKIA/);

  // The command closed the store; reopened here, the keys it printed are org-a's.
  const database = await openDatabase({ pgliteDir: path.join(dataDir, "pglite") });
  await setProcessDatabase(database);
  try {
    const key = await accessKeyForAccount({ accountId: "111111111111" });
    expect([exported.AWS_ACCESS_KEY_ID, exported.AWS_SECRET_ACCESS_KEY]).toEqual([key.accessKeyId, key.secretAccessKey]);
  } finally {
    await setProcessDatabase(undefined);
  }
});

it("says so when the organization does not exist", async () => {
  const port = await freePort();
  const failed = await run(process.execPath, ["--import", "tsx", "scripts/credentials.ts", "no-such-org"], { env: { ...env(), PORT: String(port) }, timeout: 120_000 }).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(failed).toMatchObject({ code: 1 });
  expect((failed as { stderr: string }).stderr).toContain('No organization with the slug "no-such-org"');
});
