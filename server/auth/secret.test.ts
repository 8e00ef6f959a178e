import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { ensureAuthSecret } from "./secret";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-secret-"));
  vi.stubEnv("DATA_DIR", dir);
  vi.stubEnv("AUTH_SECRET", "");
});
afterEach(() => {
  vi.unstubAllEnvs();
  fs.rmSync(dir, { recursive: true, force: true });
});

it("generates a secret once, keeps it private in DATA_DIR and reuses it", () => {
  const first = ensureAuthSecret();
  expect(first.length).toBeGreaterThanOrEqual(43);
  const file = path.join(dir, "auth-secret");
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  vi.stubEnv("AUTH_SECRET", "");
  expect(ensureAuthSecret()).toBe(first);
});

it("prefers AUTH_SECRET from the environment", () => {
  vi.stubEnv("AUTH_SECRET", "from-the-environment-0123456789abcdef");
  expect(ensureAuthSecret()).toBe("from-the-environment-0123456789abcdef");
  expect(fs.existsSync(path.join(dir, "auth-secret"))).toBe(false);
});

it("refuses to invent a secret in production without demo data", () => {
  vi.stubEnv("NODE_ENV", "production");
  vi.stubEnv("SEED_DEMO", "false");
  expect(() => ensureAuthSecret()).toThrow(/AUTH_SECRET is not set/);
  expect(fs.existsSync(path.join(dir, "auth-secret"))).toBe(false);
});
