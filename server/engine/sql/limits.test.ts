import { describe, expect, it } from "vitest";
import { catalog } from "./corpus";
import { CostlyRefusal, CostlyRefusalLimiter, MAX_PRIVATE_AGGREGATIONS } from "./limits";
import { parserCalls } from "./parse";
import { QueryRefusal, checkAgainstRules } from "./validate";

// Queries built to make the planner and the validator work for a long time, as an attacker would
// vary them: many aggregations, huge expression lists, a deadline that passes mid-check, and the
// same attack sent again and again.

const privateSums = (n: number, tag = "") => `SELECT ${Array.from({ length: n }, (_, i) => `SUM(visits + ${i}) AS s${i}`).join(", ")} FROM org_b_private -- ${tag}`;
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: Error) => error,
  );

describe("the check's limits", () => {
  it("refuses too many private aggregations before planning them, whatever their shape", async () => {
    for (const sql of [
      privateSums(MAX_PRIVATE_AGGREGATIONS + 1, "sums"),
      `SELECT ${Array.from({ length: 2_000 }, () => "COUNT(*)").join(", ")} FROM org_b_private`,
      `SELECT ${Array.from({ length: 1_500 }, (_, i) => `AVG(visits * ${i}), STDDEV(visits)`).join(", ")} FROM org_b_private`,
    ]) {
      const before = parserCalls();
      const error = await refusal(checkAgainstRules(sql, catalog));
      expect(error).toBeInstanceOf(CostlyRefusal);
      expect((error as Error).message).toMatch(/at most 1000 aggregations|too large/);
      // Refused after parsing it once, not after rendering each aggregation.
      expect(parserCalls() - before).toBeLessThanOrEqual(2);
    }
    // At the limit, the plan is made.
    await expect(checkAgainstRules(privateSums(MAX_PRIVATE_AGGREGATIONS, "at the limit"), catalog)).resolves.toMatchObject({ ruleType: "CUSTOM" });
  }, 60_000);

  it("refuses parse trees beyond the size limit on every rule, as lists, sums or nested operators", async () => {
    for (const sql of [
      `SELECT channel, SUM(engagement_score) FROM org_b_engagement WHERE channel IN (${Array.from({ length: 60_000 }, (_, i) => i).join(",")}) GROUP BY channel`,
      `SELECT ${Array.from({ length: 45_000 }, () => "COUNT(*)").join(", ")} FROM org_a_customers a INNER JOIN org_b_engagement b ON a.customer_id = b.customer_id`,
      `SELECT COUNT(*) FROM org_b_custom WHERE visits IN (${Array.from({ length: 60_000 }, (_, i) => i).join(",")})`,
    ]) {
      const error = await refusal(checkAgainstRules(sql, catalog));
      expect(error).toBeInstanceOf(CostlyRefusal);
      expect((error as Error).message).toMatch(/too large/);
    }
  }, 60_000);

  it("stops the work when the time is up, not only the answer", async () => {
    const error = await refusal(checkAgainstRules(privateSums(MAX_PRIVATE_AGGREGATIONS, "deadline"), catalog, { kind: "sql" }, { timeLimitMs: 20 }));
    expect(error).toBeInstanceOf(CostlyRefusal);
    expect((error as Error).message).toMatch(/took longer than 0.02 s/);
    const after = parserCalls();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(parserCalls()).toBe(after);
  }, 60_000);

  it("refuses a caller at once after repeated costly refusals, and no one else", async () => {
    const limiter = new CostlyRefusalLimiter(3, 60_000);
    const costly = () => limiter.guard("attacker", () => checkAgainstRules(privateSums(MAX_PRIVATE_AGGREGATIONS + 5, String(Math.random())), catalog));
    for (let i = 0; i < 3; i++) expect(await refusal(costly())).toBeInstanceOf(CostlyRefusal);
    const before = parserCalls();
    const blocked = await refusal(limiter.guard("attacker", () => checkAgainstRules("SELECT COUNT(*) FROM org_b_private", catalog)));
    expect(blocked).toBeInstanceOf(QueryRefusal);
    expect((blocked as Error).message).toMatch(/wait \d+ s/);
    expect(parserCalls()).toBe(before);
    // Ordinary refusals do not count, and other callers are not held back.
    await expect(limiter.guard("analyst", () => checkAgainstRules("SELECT COUNT(*) FROM org_b_private", catalog))).resolves.toMatchObject({ ruleType: "CUSTOM" });
    let now = 0;
    const clock = () => now;
    const timed = new CostlyRefusalLimiter(1, 1_000);
    await refusal(timed.guard("x", () => Promise.reject(new CostlyRefusal("big")), clock));
    expect((await refusal(timed.guard("x", () => Promise.resolve(1), clock)))?.message).toMatch(/wait 1 s/);
    now = 1_001;
    await expect(timed.guard("x", () => Promise.resolve(1), clock)).resolves.toBe(1);
  }, 60_000);
});
