import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { setProcessDatabase } from "@/server/db/client";
import { operatorToken } from "@/server/operator";
import { seedDemo } from "@/server/seed/demo";
import { openTestDatabase } from "@/server/testing/databases";
import { GET } from "./route";

// The route hands out an organization's local-cloud keys: only to that organization's operator
// token, never to a missing, wrong or other organization's one.
let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-operator-"));
  process.env.DATA_DIR = dir;
  process.env.AUTH_SECRET = "operator-route-test-secret-0123456789abcdef";
  process.env.LOCAL_CLOUD_SECRET = "operator-route-test-cloud-secret-0123456789";
  await setProcessDatabase(await openTestDatabase("pglite"));
  await seedDemo();
});
afterAll(async () => {
  await setProcessDatabase(undefined);
  fs.rmSync(dir, { recursive: true, force: true });
});

const ask = (org: string, authorization?: string) => GET(new Request(`http://127.0.0.1/api/operator/credentials?org=${encodeURIComponent(org)}`, { headers: authorization ? { authorization } : {} }));

it("answers an organization's own token with its keys", async () => {
  const response = await ask("org-a", `Bearer ${operatorToken("org-a")}`);
  expect(response.status).toBe(200);
  const body = (await response.json()) as { accountId: string; accessKeyId: string; secretAccessKey: string };
  expect(body.accountId).toBe("111111111111");
  expect(body.accessKeyId).toMatch(/^[A-Z0-9]{16,}$/);
  expect(response.headers.get("cache-control")).toBe("no-store");
});

it("refuses a missing, malformed, wrong or other organization's token, without keys in the answer", async () => {
  const refusals = [
    await ask("org-a"),
    await ask("org-a", "Bearer"),
    await ask("org-a", operatorToken("org-a")),
    await ask("org-a", `Bearer ${operatorToken("org-a").slice(1)}x`),
    await ask("org-a", `Bearer ${operatorToken("org-b")}`),
    await ask("org-b", `Bearer ${operatorToken("org-a")}`),
    await ask("", `Bearer ${operatorToken("org-a")}`),
    await ask("org-a ", `Bearer ${operatorToken("org-a")}`),
  ];
  for (const response of refusals) {
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toMatch(/secretAccessKey|accessKeyId/);
  }
});

it("says not found for an unknown organization only to a token made for that name", async () => {
  expect((await ask("org-z", `Bearer ${operatorToken("org-z")}`)).status).toBe(404);
});
