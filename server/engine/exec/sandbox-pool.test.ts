import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { publicFailureMessage, SandboxFailure } from "./failure";
import { SandboxStopped, type SandboxLimits, type SandboxTable } from "./sandbox";
import { createSandboxPool, type ThreadRun } from "./sandbox-pool";
import type { QueryStage } from "./stages";

// Protected queries run on sandbox threads: the same sandbox as on the event loop (views, file
// allow-list, locked configuration, limits, timeout, cancel), with the loop deciding admission
// and closing, and only paths, counts and data-free failures coming back.
let dir: string;
let table: SandboxTable;
const pool = createSandboxPool(() => 1);
const limits: SandboxLimits = { threads: 1, memoryLimit: "256MB" };

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-pool-"));
  const file = path.join(dir, "data.csv");
  fs.writeFileSync(file, "customer_id,region,secret\n1,east,s1\n2,west,s2\n3,east,s3\n");
  table = {
    name: "customers",
    format: "csv",
    files: [file],
    columns: [
      { name: "customer_id", duckdbType: "BIGINT" },
      { name: "region", duckdbType: "VARCHAR" },
    ],
  };
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let runs = 0;
const start = (sql: string, extra: Partial<ThreadRun> = {}) =>
  pool.run({
    setup: { tables: [table], outDir: path.join(dir, `out-${++runs}`), timeoutMs: 20_000, spares: 1 },
    work: { kind: "sql", sql, resultFormat: "CSV" },
    limits: async () => limits,
    ...extra,
  });

const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: unknown) => e,
  );

it("runs a query on a sandbox thread, telling the loop its stages, and closes when told", async () => {
  const marks: QueryStage[] = [];
  const running = start("SELECT region, count(*) AS n FROM customers GROUP BY region ORDER BY region", { clock: { mark: (stage) => marks.push(stage) } });
  const result = await running.result;
  expect(fs.readFileSync(result.file, "utf8")).toBe("region,n\neast,2\nwest,1\n");
  expect(result.rows).toBe(2);
  expect(marks).toEqual(["sandbox", "queue", "sandbox", "execution", "result"]);
  await running.close();
});

it("keeps the sandbox's walls on the thread: other columns, other files and settings fail closed", async () => {
  for (const sql of ["SELECT secret FROM customers", "SELECT * FROM read_csv('/etc/passwd')", "SET threads = 8"]) {
    const running = start(sql);
    const error = await failureOf(running.result);
    expect(error).toBeInstanceOf(SandboxFailure);
    // DuckDB's words stay behind the fixed sentence the member sees.
    expect(publicFailureMessage(error as SandboxFailure)).toMatch(/^The query failed while running the query.*never include values from the data\.$/);
    expect(publicFailureMessage(error as SandboxFailure)).not.toMatch(/passwd|secret/);
    await running.close();
  }
});

it("throws the loop's own refusal when the query may not start, having read nothing", async () => {
  class Cancelled extends Error {}
  const marks: QueryStage[] = [];
  const running = start("SELECT count(*) FROM customers", {
    limits: async () => {
      throw new Cancelled("cancelled while it waited");
    },
    clock: { mark: (stage) => marks.push(stage) },
  });
  expect(await failureOf(running.result)).toBeInstanceOf(Cancelled);
  expect(marks).not.toContain("execution");
  await running.close();
});

it("interrupts a running query on cancel and on timeout", async () => {
  const forever = "SELECT count(*) FROM range(100000000000) a, customers";
  const abort = new AbortController();
  const cancelled = start(forever, { signal: abort.signal });
  setTimeout(() => abort.abort(), 300);
  const error = await failureOf(cancelled.result);
  expect(error).toBeInstanceOf(SandboxStopped);
  expect((error as SandboxStopped).reason).toBe("cancelled");
  await cancelled.close();

  const slow = pool.run({
    setup: { tables: [table], outDir: path.join(dir, "out-timeout"), timeoutMs: 300, spares: 1 },
    work: { kind: "sql", sql: forever, resultFormat: "CSV" },
    limits: async () => limits,
  });
  const timedOut = await failureOf(slow.result);
  expect((timedOut as SandboxStopped).reason).toBe("timeout");
  await slow.close();
});

it("gives a thread to the next query only once the previous sandbox has closed", async () => {
  const first = start("SELECT count(*) FROM customers");
  await first.result;
  let secondAdmitted = false;
  const second = start("SELECT count(*) FROM customers", {
    limits: async () => {
      secondAdmitted = true;
      return limits;
    },
  });
  await new Promise((r) => setTimeout(r, 300));
  expect(secondAdmitted).toBe(false);
  await first.close();
  expect((await second.result).rows).toBe(1);
  expect(secondAdmitted).toBe(true);
  await second.close();
});
