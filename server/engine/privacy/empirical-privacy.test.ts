import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueryCatalog } from "@/server/engine/sql/catalog";
import { validateQuery } from "@/server/engine/sql/validate";
import type { PrivacyPlan } from "@/server/engine/sql/differential-privacy";
import { runPrivately } from "./mechanism";

// An empirical check of the guarantee, on neighbouring datasets: D has 40 users, D' the same 40
// and one more. The whole mechanism (contribution estimate, bounding, noise) runs many times on
// each, and for every event "the COUNT is at least k" (and its complement) the ratio of the two
// probabilities is bounded from below with Hoeffding's inequality. Differential privacy says the
// true ratio is at most exp(ε) with ε = 2/usersNoisePerQuery (two measurements); the check fails
// if any lower bound exceeds it. All bounds hold together with probability above 1 − 10⁻⁶, so a
// correct mechanism fails this test less than once in a million runs; one whose noise were ten
// times too small fails it almost surely (the ratio would be about e).

const RUNS = 2000;
const USERS_NOISE = 10;
const EPSILON = 2 / USERS_NOISE;
const EVENTS = [30, 36, 40, 41, 42, 46, 52];
const BOUNDS = EVENTS.length * 2 * 2 * 2;
const MARGIN = Math.sqrt(Math.log(BOUNDS / 1e-6) / (2 * RUNS));

const catalog: QueryCatalog = {
  runnerAccountId: "111111111111",
  tables: [
    {
      name: "t",
      ownerAccountId: "222222222222",
      columns: [{ name: "customer_id", type: "bigint" }],
      rule: { type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"], differentialPrivacy: { columns: [{ name: "customer_id" }] } } },
    },
  ],
};

let instance: DuckDBInstance;
let plan: PrivacyPlan;
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-empirical-"));

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:", { threads: "1" });
  plan = (await validateQuery("SELECT COUNT(*) AS n FROM t", catalog)).privacy!;
});
afterAll(() => {
  instance.closeSync();
  fs.rmSync(outDir, { recursive: true, force: true });
});

/** The released COUNT of one run of the mechanism on `users` users, one row each. */
async function releasedCount(users: number): Promise<number> {
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE TEMP TABLE t AS SELECT range AS customer_id FROM range(${users})`);
    const { file } = await runPrivately({ connection, outDir }, { plan, usersNoisePerQuery: USERS_NOISE, resultFormat: "CSV" });
    const [header, value] = fs.readFileSync(file, "utf8").trim().split("\n");
    expect(header).toBe("n");
    return Number(value);
  } finally {
    connection.closeSync();
  }
}

describe("the mechanism on neighbouring datasets", () => {
  it("never shows a probability ratio above exp(ε), beyond the sampling margin", async () => {
    const [d, dPrime] = [[] as number[], [] as number[]];
    for (let i = 0; i < RUNS; i++) {
      d.push(await releasedCount(40));
      dPrime.push(await releasedCount(41));
    }
    let worst = -Infinity;
    for (const k of EVENTS) {
      for (const event of [(x: number) => x >= k, (x: number) => x < k]) {
        const p = d.filter(event).length / RUNS;
        const q = dPrime.filter(event).length / RUNS;
        for (const [a, b] of [
          [p, q],
          [q, p],
        ] as const) {
          const low = a - MARGIN;
          const high = b + MARGIN;
          if (low > 0) worst = Math.max(worst, Math.log(low / high));
        }
      }
    }
    expect(worst).toBeLessThanOrEqual(EPSILON);
    // The check has power: some events are neither rare nor certain, where a ratio of e (noise ten
    // times too small) would show a lower bound far above exp(ε).
    expect(EVENTS.some((k) => Math.abs(d.filter((x) => x >= k).length / RUNS - 0.5) < 0.2)).toBe(true);
    expect(MARGIN).toBeLessThan(0.07);
  }, 300_000);
});
