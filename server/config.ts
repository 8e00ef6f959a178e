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

export function localCloudPort(): number {
  return Number(process.env.LOCAL_CLOUD_PORT || 4566);
}

/** Where the console's SDK clients and printed credentials point in local mode. */
export function localCloudEndpoint(): string {
  return `http://127.0.0.1:${localCloudPort()}`;
}

export function localCloudRegion(): string {
  return process.env.AWS_REGION || "us-east-1";
}

/** `local` runs collaborations on the built-in local cloud; `aws` on AWS Clean Rooms. */
export function cleanroomsMode(): "local" | "aws" {
  return process.env.CLEANROOMS_MODE === "aws" ? "aws" : "local";
}

/** How many protected queries run at once; the rest wait in SUBMITTED. */
export function protectedQueryConcurrency(): number {
  return Math.max(1, Number(process.env.PROTECTED_QUERY_CONCURRENCY || 2));
}

export function protectedQueryLimits() {
  return {
    timeoutMs: Math.max(1, Number(process.env.PROTECTED_QUERY_TIMEOUT_SECONDS || 1800)) * 1000,
    memoryLimit: process.env.PROTECTED_QUERY_MEMORY_LIMIT || "3GB",
    threads: Math.max(1, Number(process.env.PROTECTED_QUERY_THREADS || 2)),
  };
}
