import path from "node:path";

// Environment, read in one place. Defaults give a working demo with no configuration at all.
export function dataDir(): string {
  return path.resolve(process.env.DATA_DIR || ".data");
}

export function databaseUrl(): string | undefined {
  const url = process.env.DATABASE_URL?.trim();
  return url ? url : undefined;
}

export function seedDemoEnabled(): boolean {
  return (process.env.SEED_DEMO ?? "true").toLowerCase() !== "false";
}

export function isProduction(): boolean {
  return process.env.NODE_ENV === "production";
}
