import os from "node:os";
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

const positive = (value: string | undefined, fallback: number) => {
  const n = Math.floor(Number(value));
  return Number.isFinite(n) && n >= 1 ? n : fallback;
};

// The machine's cores and memory, read once: the queue and the core gate ask for the limits
// several times per query, and reading the memory is a system call each time.
let machine: { cores: number; memoryMb: number } | undefined;
const machineOf = () => (machine ??= { cores: os.availableParallelism(), memoryMb: Math.floor(os.totalmem() / 1024 / 1024) });

/**
 * How protected queries share the machine: one thread budget (by default every core) and one
 * memory budget (by default 40% of this machine's memory) for all of them. A query admitted alone
 * gets the whole thread budget (at most `maxThreads`); when others wait, each gets an even share,
 * down to one thread, so several run side by side instead of fighting over the cores. Its memory
 * follows its threads (its share of the memory budget is its share of the threads), so the
 * queries running at once never hold more than the budget; one that needs more than its share
 * fails with a message saying so, and the process stays up.
 */
export function protectedQueryResources() {
  const threadBudget = positive(process.env.PROTECTED_QUERY_THREAD_BUDGET, machineOf().cores);
  const maxThreads = Math.min(threadBudget, positive(process.env.PROTECTED_QUERY_THREADS, threadBudget));
  const maxSandboxes = Math.min(threadBudget, positive(process.env.PROTECTED_QUERY_CONCURRENCY, threadBudget));
  const memoryBudgetMb = positive(process.env.PROTECTED_QUERY_MEMORY_BUDGET_MB, Math.floor(machineOf().memoryMb * 0.4));
  const memoryCapMb = process.env.PROTECTED_QUERY_MEMORY_LIMIT ? megabytes(process.env.PROTECTED_QUERY_MEMORY_LIMIT) : Infinity;
  return {
    threadBudget,
    maxThreads,
    maxSandboxes,
    memoryBudgetMb,
    /** The memory a query admitted with `threads` of the budget may use. */
    memoryFor: (threads: number) => Math.max(64, Math.min(memoryCapMb, Math.floor((memoryBudgetMb * threads) / threadBudget))),
  };
}

/** "512MB", "3GB", "1.5GiB", or a number of megabytes. */
function megabytes(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(KB|KIB|MB|MIB|GB|GIB|TB|TIB)?\s*$/i.exec(text);
  if (!match) throw new Error(`PROTECTED_QUERY_MEMORY_LIMIT must be a size such as 512MB or 3GB, not "${text}".`);
  const unit = (match[2] ?? "MB").toUpperCase().replace("I", "");
  const factor = { KB: 1 / 1024, MB: 1, GB: 1024, TB: 1024 * 1024 }[unit as "KB" | "MB" | "GB" | "TB"];
  return Math.max(1, Math.floor(Number(match[1]) * factor));
}

/**
 * How long GetProtectedQuery may wait for a query in progress to move before answering (0: answer
 * at once, as AWS does). Clients poll; answered at the moment their query moves, they see its end
 * at once instead of at their next poll, and ask far less often while it runs.
 */
export function protectedQueryStatusWaitMs(): number {
  const value = Number(process.env.PROTECTED_QUERY_STATUS_WAIT_MS ?? 1000);
  return Number.isFinite(value) && value >= 0 ? Math.min(value, 20_000) : 1000;
}

export function protectedQueryTimeoutMs(): number {
  return Math.max(1, Number(process.env.PROTECTED_QUERY_TIMEOUT_SECONDS || 1800)) * 1000;
}
