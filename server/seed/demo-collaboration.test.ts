import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/server/auth/actor";
import { getCollaboration, listCollaborations } from "@/server/collaborations/collaborations";
import { settingsOf } from "@/server/collaborations/settings";
import { listDatasets } from "@/server/datasets/datasets";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { getQuery, readResult, startQuery, startTemplateQuery } from "@/server/queries/queries";
import { actorFor } from "@/server/testing/actors";
import { seedDemoCollaboration } from "./demo-collaboration";
import { DEMO_COLLABORATION, DEMO_PRIVACY_BUDGET, DEMO_PRIVATE_COLLABORATION, DEMO_PRIVATE_SQL, DEMO_SUGGESTED_SQL } from "./demo-data";
import { eq } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { consoleQueries } from "@/server/db/schema";
import { readPrivacyBudget } from "@/server/collaborations/privacy-budget";
import { checkQuery } from "@/server/queries/check";
import { listAudit } from "@/server/audit/audit";
import { addFractions, aggregationTypes, costOf, countFitting, fraction, subtractFractions } from "@/server/engine/privacy/accounting";
import { privacyLedger } from "@/server/local-cloud/store/schema";

// The demo's data, seeded through the console's own calls into a real local cloud (with fewer
// customers than the default, to stay quick): what a newcomer signing in finds, and runs.
let cloud: TestCloud;
let analyst: Actor;
let collaborationId: string;

async function resultOf(id: string) {
  for (let i = 0; i < 400; i++) {
    const state = await getQuery(analyst, id);
    if (state?.status === "SUCCESS") return (await readResult(analyst, id))!;
    if (state && ["FAILED", "CANCELLED", "TIMED_OUT"].includes(state.status)) throw new Error(`${state.status}: ${state.error}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the query did not finish");
}

beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
  await seedDemoCollaboration(3000);
  analyst = await actorFor("analyst@org-a.example");
  collaborationId = (await listCollaborations(analyst)).find((c) => c.name === DEMO_COLLABORATION)!.id;
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

describe("the demo collaboration", () => {
  it("holds both organizations' datasets, tables and the template, with org-a able to query", async () => {
    expect((await listDatasets(analyst)).map((d) => d.name).sort()).toEqual(["customer_data_org_a", "customers_org_a"]);
    expect((await listDatasets(await actorFor("owner@org-b.example"))).map((d) => d.name).sort()).toEqual(["customer_data_org_b", "customers_org_b"]);
    const collaboration = (await getCollaboration(analyst, collaborationId))!;
    expect(collaboration.tables.map((t) => [t.name, t.rule?.type])).toEqual([
      ["org_a_customers", "AGGREGATION"],
      ["org_a_purchases", "CUSTOM"],
      ["org_b_customers", "AGGREGATION"],
    ]);
    expect(collaboration.members.find((m) => m.accountId === analyst.awsAccountId)?.abilities).toEqual(["CAN_QUERY", "CAN_RECEIVE_RESULTS"]);
    expect(collaboration.templates.map((t) => [t.name, t.parameters])).toEqual([["big_spenders_by_region", [{ name: "min_purchase", type: "DOUBLE", defaultValue: "250" }]]]);
    expect((await settingsOf(analyst.orgId, collaborationId)).suggestedSql).toBe(DEMO_SUGGESTED_SQL);
  });

  it("answers the suggested query with one row per age group of shared customers", async () => {
    const { columns, rows } = await resultOf(await startQuery(analyst, collaborationId, DEMO_SUGGESTED_SQL));
    expect(columns).toEqual(["age_group", "shared_customers", "avg_purchase", "avg_engagement"]);
    expect(rows.map((r) => r[0])).toEqual(["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]);
    // Customers 1,201 to 3,000 are in both lists; every group has at least the 100 the rules ask.
    expect(rows.reduce((sum, r) => sum + Number(r[1]), 0)).toBe(1800);
    for (const row of rows) expect(Number(row[1])).toBeGreaterThanOrEqual(100);
    for (const row of rows) expect(Number(row[3])).toBeGreaterThan(40);
  });

  it("runs the template with its default and with a value of the analyst's", async () => {
    const template = (await getCollaboration(analyst, collaborationId))!.templates[0]!;
    const purchases = (rows: string[][]) => rows.reduce((sum, r) => sum + Number(r[1]), 0);
    const byDefault = await resultOf(await startTemplateQuery(analyst, collaborationId, template.arn, {}));
    const fewer = await resultOf(await startTemplateQuery(analyst, collaborationId, template.arn, { min_purchase: "500" }));
    expect(byDefault.columns).toEqual(["region", "purchases", "revenue"]);
    expect(purchases(fewer.rows)).toBeLessThan(purchases(byDefault.rows));
    expect(purchases(fewer.rows)).toBeGreaterThan(0);
  });
});

describe("the demo's differentially private collaboration", () => {
  it("answers noisy aggregates until its budget runs out, with ListPrivacyBudgets equal to the ledger at every step", async () => {
    const privateId = (await listCollaborations(analyst)).find((c) => c.name === DEMO_PRIVATE_COLLABORATION)!.id;
    expect((await settingsOf(analyst.orgId, privateId)).suggestedSql).toBe(DEMO_PRIVATE_SQL);
    const check = await checkQuery(analyst, privateId, DEMO_PRIVATE_SQL);
    // Contribution limit, selection, engagement's range, COUNT DISTINCT, AVG (sum and count): 6 of 1/30.
    expect(check).toMatchObject({ verdict: "allowed", privacy: { measurements: 6, usersNoisePerQuery: 30, exceedsBudget: false } });
    const { epsilon, usersNoisePerQuery: n } = DEMO_PRIVACY_BUDGET;
    const budgetMatchesLedger = async () => {
      const debits = await (await getDb()).select().from(privacyLedger).where(eq(privacyLedger.collaborationId, privateId));
      const spent = debits.filter((d) => !d.refundedAt).reduce((sum, d) => addFractions(sum, costOf(d.measurements, d.usersNoisePerQuery)), fraction(0));
      const left = subtractFractions(fraction(epsilon), spent);
      const budget = (await readPrivacyBudget(analyst, privateId))!;
      expect(budget.aggregations).toEqual(aggregationTypes.map((type) => ({ type, maxCount: countFitting(fraction(epsilon), n, type), remainingCount: countFitting(left, n, type) })));
      return left;
    };
    let runs = 0;
    for (let left = await budgetMatchesLedger(); left.num * BigInt(n) >= 6n * left.den; left = await budgetMatchesLedger()) {
      const { columns, rows } = await resultOf(await startQuery(analyst, privateId, DEMO_PRIVATE_SQL));
      expect(columns).toEqual(["age_group", "shared_customers", "avg_engagement"]);
      // 1,800 shared customers over six age groups: only groups whose noisy user count passes the threshold appear.
      for (const row of rows) expect(Number(row[1])).toBeGreaterThan(0);
      runs++;
    }
    expect(runs).toBe(Math.floor((epsilon * n) / 6));
    // The workbench's check knows before Clean Rooms refuses.
    expect(await checkQuery(analyst, privateId, DEMO_PRIVATE_SQL)).toMatchObject({ verdict: "allowed", privacy: { exceedsBudget: true } });
    await expect(startQuery(analyst, privateId, DEMO_PRIVATE_SQL)).rejects.toThrow(/privacy budget .* has ε 0 left this month/);
    const logged = await (await getDb()).select().from(consoleQueries).where(eq(consoleQueries.collaborationId, privateId));
    expect(logged.filter((q) => q.status === "SUCCESS").every((q) => q.privacyMeasurements === 6 && q.privacyUsersNoise === 30)).toBe(true);
    expect(logged.find((q) => q.status === "REFUSED")).toMatchObject({ privacyMeasurements: null });
  }, 120_000);
  it("refuses checks as you type built to make the engine work, audits them, and holds back the user who repeats them", async () => {
    const huge = `SELECT COUNT(*) FROM org_b_customers WHERE region IN (${Array.from({ length: 60_000 }, (_, i) => i).join(",")})`;
    for (let i = 0; i < 3; i++) expect(await checkQuery(analyst, collaborationId, `${huge} -- ${i}`)).toMatchObject({ verdict: "refused", message: expect.stringMatching(/too large/) });
    const { entries } = await listAudit(analyst.orgId, { action: "queries.check" }, { limit: 10 });
    expect(entries.filter((e) => e.userEmail === analyst.email && e.outcome === "error")).toHaveLength(3);
    // The next check of this user, even an ordinary one, is refused at once; another user is not held back.
    expect(await checkQuery(analyst, collaborationId, DEMO_SUGGESTED_SQL)).toMatchObject({ verdict: "refused", message: expect.stringMatching(/wait \d+ s/) });
    expect(await checkQuery(await actorFor("admin@org-a.example"), collaborationId, DEMO_SUGGESTED_SQL)).toMatchObject({ verdict: "allowed" });
  });
});
