import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { publicFailureMessage, SandboxFailure } from "./failure";
import { inSandbox, runInSandbox, SandboxStopped, type SandboxTable } from "./sandbox";

// The sandbox is the second wall: even SQL that never went through the validator cannot read
// other files, write elsewhere, change settings or load extensions.
let dir: string;
let table: SandboxTable;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-"));
  const file = path.join(dir, "data.csv");
  fs.writeFileSync(file, "customer_id,region,secret\n1,east,s1\n2,west,s2\n3,east,s3\n");
  fs.writeFileSync(path.join(dir, "neighbour.csv"), "other\nsecret\n");
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

const run = (sql: string, extra: Partial<Parameters<typeof runInSandbox>[0]> = {}) =>
  runInSandbox({
    sql,
    tables: [table],
    resultFormat: "CSV",
    outDir: path.join(dir, `out-${Math.random().toString(36).slice(2)}`),
    limits: { threads: 1, memoryLimit: "256MB" },
    timeoutMs: 10_000,
    ...extra,
  });

/** DuckDB's own words for a failure: kept for the log, never shown to the member. */
async function causeOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxFailure);
  return ((error as SandboxFailure).cause as Error).message;
}

it("runs a query over views of the allowed columns only", async () => {
  const result = await run("SELECT region, count(*) AS n FROM customers GROUP BY region ORDER BY region");
  expect(fs.readFileSync(result.file, "utf8")).toBe("region,n\neast,2\nwest,1\n");
  expect(await causeOf(run("SELECT secret FROM customers"))).toMatch(/secret/);
});

it("fails closed on file access, settings, extensions and other databases", async () => {
  for (const sql of [
    "SELECT * FROM read_csv('/etc/passwd')",
    `SELECT * FROM read_csv('${path.join(dir, "neighbour.csv")}')`,
    "SELECT * FROM glob('/*')",
    "SELECT current_setting('enable_external_access') = false FROM customers WHERE false UNION ALL SELECT * FROM read_text('/etc/hostname')",
  ]) {
    expect(await causeOf(run(sql))).toMatch(/Permission Error|disabled by configuration|does not exist|Binder Error/);
  }
  expect(await causeOf(run("SELECT 1; SET threads = 4"))).toBeTruthy();
});

it("tells the member what kind of failure DuckDB raised, in fixed words, never DuckDB's own", async () => {
  // DuckDB raises its "Not implemented" error type for an argument it parses but has no code for,
  // quoting the argument; the member gets the fixed sentence for that type.
  const failure = await run("SELECT list_sort([customer_id], 'sideways') AS sorted FROM customers").then(
    () => null,
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(SandboxFailure);
  expect(((failure as SandboxFailure).cause as Error).message).toMatch(/^Not implemented Error: .*SIDEWAYS/);
  expect(publicFailureMessage(failure as SandboxFailure)).not.toMatch(/sideways/i);
  expect(publicFailureMessage(failure as SandboxFailure)).toBe(
    "The query failed while running the query: the query uses something DuckDB cannot run. Messages of failed queries never include values from the data.",
  );
});

it("stops a query that runs out of time, and one that is cancelled", async () => {
  const slow = "SELECT count(*) FROM range(100000000000) a";
  await expect(run(slow, { timeoutMs: 200 })).rejects.toEqual(new SandboxStopped("timeout"));
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 200);
  await expect(run(slow, { signal: controller.signal })).rejects.toEqual(new SandboxStopped("cancelled"));
});

it("runs with the threads and memory it was given, and fails a query that needs more memory with a clear message", async () => {
  const settings = await run("SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory FROM customers LIMIT 1", { limits: { threads: 1, memoryLimit: "100MiB" } });
  expect(fs.readFileSync(settings.file, "utf8")).toBe("threads,memory\n1,100.0 MiB\n");
  // A list of 50M numbers cannot spill to disk: DuckDB runs out of its 64 MB and says so.
  const error = await run("SELECT count(*) AS n, list(range) AS l FROM range(50000000)", { limits: { threads: 1, memoryLimit: "64MiB" } }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SandboxFailure);
  expect(publicFailureMessage(error as SandboxFailure)).toBe(
    "The query failed while running the query: the query needed more memory than a protected query may use. Messages of failed queries never include values from the data.",
  );
  // The process is fine, and the next query runs.
  expect(fs.readFileSync((await run("SELECT count(*) AS n FROM customers")).file, "utf8")).toBe("n\n3\n");
});

it("runs with the limits it was given whatever the instance made ahead started with, its configuration locked", async () => {
  const settingsSql = "SELECT current_setting('threads') AS threads, current_setting('memory_limit') AS memory, current_setting('enable_external_access') AS external FROM customers LIMIT 1";
  const ahead = { threads: 2, memoryLimit: "300MiB" };
  // Instances made ahead with two threads and 300 MiB; queries given those, then others, then those again.
  for (const limits of [ahead, ahead, { threads: 1, memoryLimit: "100MiB" }, ahead, { threads: 2, memoryLimit: "120MiB" }]) {
    const result = await run(settingsSql, { limits, spareLimits: ahead });
    expect(fs.readFileSync(result.file, "utf8")).toBe(`threads,memory,external\n${limits.threads},${parseInt(limits.memoryLimit)}.0 MiB,false\n`);
    // A second statement smuggled after the SELECT does not run (the SELECT is the COPY's subquery)…
    expect(await causeOf(run("SELECT 1 AS one; SET memory_limit = '8GB'", { limits, spareLimits: ahead }))).toMatch(/syntax error/);
    // …and a setting changed on the sandbox's own connection is refused: its configuration is locked.
    const setup = { tables: [table], outDir: path.join(dir, `out-${Math.random().toString(36).slice(2)}`), limits, timeoutMs: 10_000, spareLimits: ahead };
    expect(await causeOf(inSandbox(setup, ({ connection }) => connection.run("SET memory_limit = '8GB'")))).toMatch(/locked/);
    // The next query may take the instance this one's close makes ahead.
    await new Promise((resolve) => setImmediate(resolve));
  }
});

it("writes its result in the directory its instance made ahead came with, and reads nothing there", async () => {
  const outs = fs.mkdtempSync(path.join(dir, "outs-"));
  const limits = { threads: 1, memoryLimit: "128MiB" };
  const setup = () => ({ tables: [table], outDir: path.join(outs, `query-${Math.random().toString(36).slice(2)}`), limits, timeoutMs: 10_000, spareLimits: limits });
  const first = await runInSandbox({ ...setup(), sql: "SELECT count(*) AS n FROM customers", resultFormat: "CSV" });
  expect(fs.readFileSync(first.file, "utf8")).toBe("n\n3\n");
  // The first sandbox's close makes the next instance ahead, with an empty directory beside its own.
  const spare = await until(() => fs.readdirSync(outs).find((name) => name.startsWith("spare-")));
  expect(fs.readdirSync(path.join(outs, spare))).toEqual([]);
  const second = setup();
  const result = await runInSandbox({ ...second, sql: "SELECT region FROM customers WHERE customer_id = 2", resultFormat: "CSV" });
  expect(result.file).toBe(path.join(second.outDir, "result.csv"));
  expect(fs.readFileSync(result.file, "utf8")).toBe("region\nwest\n");
  // That directory became the second sandbox's: renamed, not made again.
  expect(fs.existsSync(path.join(outs, spare))).toBe(false);
  // Its allow-list names its own directory only: the first query's result is not readable.
  expect(await causeOf(runInSandbox({ ...setup(), sql: `SELECT * FROM read_csv('${first.file}')`, resultFormat: "CSV" }))).toMatch(/Permission Error|disabled|not allowed/i);
});

async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
