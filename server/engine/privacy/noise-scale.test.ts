import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueryCatalog } from "@/server/engine/sql/catalog";
import { validateQuery } from "@/server/engine/sql/validate";
import type { PrivacyPlan } from "@/server/engine/sql/differential-privacy";
import { meanAbsoluteNoise } from "./accounting";
import { runPrivately } from "./mechanism";

// The noise's size, measured: users with several rows each (so the contribution limit L is above
// one) and values whose range is widened to a power of two, the cases where a noise smaller than
// the documented scale would go unseen by a test with one row per user. docs/privacy.md: a COUNT's
// noise has scale n·L, a SUM's n·L·M, M the bound of the range the query reports. Over RUNS runs
// the mean absolute error of each must be within 30% of the discrete Laplace mean |Z| at that
// scale. |Z| has a standard deviation about equal to its mean, so the average of RUNS draws lies
// within 30% of it except with probability below 10⁻⁶ (a 5.2σ deviation; the average of 300
// sub-exponential draws is close to normal there). Noise at half the scale or at twice it fails.

const RUNS = 300;
const USERS = 400;
const ROWS_PER_USER = 4;
const N = 10;

const catalog: QueryCatalog = {
  runnerAccountId: "111111111111",
  tables: [
    {
      name: "t",
      ownerAccountId: "222222222222",
      columns: [
        { name: "customer_id", type: "bigint" },
        { name: "v", type: "bigint" },
      ],
      rule: { type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"], differentialPrivacy: { columns: [{ name: "customer_id" }] } } },
    },
  ],
};

let instance: DuckDBInstance;
let plan: PrivacyPlan;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-noise-scale-"));
// Every value is 70..100: the range is widened to [0, 128], M = 128.
const data = `SELECT u AS customer_id, 70 + (u * 7 + r * 3) % 31 AS v FROM range(${USERS}) a(u), range(${ROWS_PER_USER}) b(r)`;
let exact: { count: number; sum: number };

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  plan = (await validateQuery("SELECT COUNT(*) AS n, SUM(v) AS s FROM t", catalog)).privacy!;
  const connection = await instance.connect();
  const [row] = (await connection.runAndReadAll(`SELECT count(*) AS n, sum(v) AS s FROM (${data})`)).getRowsJS();
  exact = { count: Number(row![0]), sum: Number(row![1]) };
  connection.closeSync();
});
afterAll(() => {
  instance.closeSync();
  fs.rmSync(outDir, { recursive: true, force: true });
});

async function release() {
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TEMP TABLE t AS ${data}`);
    const { file, sensitivityParameters } = await runPrivately({ connection, outDir }, { plan, usersNoisePerQuery: N, resultFormat: "CSV" });
    const [, line] = fs.readFileSync(file, "utf8").trim().split("\n");
    const [count, sum] = line!.split(",").map(Number);
    return { count: count!, sum: sum!, parameters: sensitivityParameters };
  } finally {
    connection.closeSync();
  }
}

describe("the noise of users with several rows and of widened ranges", () => {
  it("has the documented scale: n·L for a COUNT, n·L·M for a SUM", async () => {
    const countErrors: number[] = [];
    const sumErrors: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const { count, sum, parameters } = await release();
      // The limit and range the query reports are what the scale is computed from.
      expect(parameters.map((p) => [p.aggregationType, p.userContributionLimit, p.maxColumnValue ?? null])).toEqual([
        ["COUNT", ROWS_PER_USER, null],
        ["SUM", ROWS_PER_USER, 128],
      ]);
      // COUNT is released as is (never below zero, far from it here); SUM likewise.
      countErrors.push(Math.abs(count - exact.count));
      sumErrors.push(Math.abs(sum - exact.sum));
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const countScale = N * ROWS_PER_USER;
    const sumScale = countScale * 128;
    expect(mean(countErrors) / meanAbsoluteNoise(countScale)).toBeGreaterThan(0.7);
    expect(mean(countErrors) / meanAbsoluteNoise(countScale)).toBeLessThan(1.3);
    expect(mean(sumErrors) / meanAbsoluteNoise(sumScale)).toBeGreaterThan(0.7);
    expect(mean(sumErrors) / meanAbsoluteNoise(sumScale)).toBeLessThan(1.3);
  }, 300_000);
});
