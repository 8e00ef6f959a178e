import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TableRule } from "@/lib/analysis-rules";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/server/auth/actor";
import { CreateAnalysisTemplateCommand } from "@aws-sdk/client-cleanrooms";
import { awsClientsFor } from "@/server/aws/clients";
import { associateTable, membershipOf } from "@/server/collaborations/collaborations";
import { createConfiguredTable, saveAnalysisRule } from "@/server/configured-tables/configured-tables";
import { catalogueDataset } from "@/server/testing/datasets";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { actorFor } from "@/server/testing/actors";
import { twoMemberCollaboration } from "@/server/testing/collaborations";
import { findResource } from "@/server/local-cloud/services/cleanrooms/resources";
import type { ProtectedQueryBody } from "@/server/local-cloud/services/cleanrooms/model";
import { cancelQuery, getQuery, listQueryLog, ownQueries, queryLogRows, readResult, startQuery, startTemplateQuery } from "./queries";

// The workbench's queries through the console's clients against a real local cloud: org-a's
// analyst runs an aggregation over both members' tables; the rules decide; the result is read
// back from org-a's results bucket; the console records who ran what.
let cloud: TestCloud;
let analystA: Actor;
let analystB: Actor;
let collaborationId: string;
const rule = (measure: string): TableRule => ({
  type: "AGGREGATION",
  policy: {
    aggregateColumns: [
      { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
      { columnNames: [measure], function: "SUM" },
    ],
    joinColumns: ["customer_id"],
    dimensionColumns: ["region"],
    scalarFunctions: [],
    outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
  },
});

async function table(owner: Actor, name: string, measure: string, ids: number[]) {
  const csv = `customer_id,region,${measure}\n` + ids.map((id) => `${id},${["north", "south"][id % 2]},${id % 7}`).join("\n") + "\n";
  await catalogueDataset(owner, name, csv);
  const id = await createConfiguredTable(owner, { name, dataset: name, columns: ["customer_id", "region", measure] });
  await saveAnalysisRule(owner, id, rule(measure));
  return id;
}

async function finished(actor: Actor, id: string) {
  for (let i = 0; i < 400; i++) {
    const state = await getQuery(actor, id);
    if (state && ["SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT"].includes(state.status)) return state;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the query did not finish");
}

beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
  const [ownerA, ownerB] = [await actorFor("owner@org-a.example"), await actorFor("owner@org-b.example")];
  analystA = await actorFor("analyst@org-a.example");
  analystB = await actorFor("analyst@org-b.example");
  let adminA: Actor;
  ({ adminA, collaborationId } = await twoMemberCollaboration("overlap"));
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
  await associateTable(ownerA, collaborationId, { configuredTableId: await table(ownerA, "a_customers", "amount", range(1, 41)), name: "a_customers", resultReceivers: [adminA.awsAccountId] });
  await associateTable(ownerB, collaborationId, { configuredTableId: await table(ownerB, "b_customers", "score", range(21, 61)), name: "b_customers", resultReceivers: [adminA.awsAccountId] });
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

const overlap = "SELECT a.region, COUNT(DISTINCT a.customer_id) AS customers, SUM(b.score) AS score FROM a_customers a JOIN b_customers b ON a.customer_id = b.customer_id GROUP BY a.region";

describe("workbench queries", () => {
  it("run as the organization, and their result is read back from its results bucket", async () => {
    const id = await startQuery(analystA, collaborationId, overlap);
    const state = await finished(analystA, id);
    expect(state).toMatchObject({ status: "SUCCESS", error: null });
    expect(state.resultLocation).toMatch(/^s3:\/\/cleanrooms-results-111111111111\/results\//);
    const result = await readResult(analystA, id);
    expect(result?.columns).toEqual(["region", "customers", "score"]);
    // Customers 21 to 40 are shared: ten in each region.
    expect(result?.rows.map((r) => [r[0], r[1]]).sort()).toEqual([
      ["north", "10"],
      ["south", "10"],
    ]);
    const [recorded] = await ownQueries(analystA);
    expect(recorded).toMatchObject({ id, userEmail: "analyst@org-a.example", collaborationId, sql: overlap, status: "SUCCESS", rows: 2 });
    // The organization's analysts share its key: the local cloud's queue tells them apart by the label the console sends.
    const stored = await findResource<ProtectedQueryBody>("protectedQuery", id);
    expect(stored?.body.submittedBy).toMatch(new RegExp(`^AKIA\\w+#${analystA.userId}$`));
  });

  it("are refused with the rule's reason when the rules forbid them", async () => {
    const refused = await startQuery(analystA, collaborationId, "SELECT a.customer_id FROM a_customers a").catch((e: AppError) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).message).toMatch(/customer_id/);
  });

  it("are all in the organization's query log, refused ones too, filtered and searched in SQL", async () => {
    const all = await listQueryLog(analystA, {}, { offset: 0, limit: 50 });
    expect(all.queries.map((q) => q.status)).toEqual(["REFUSED", "SUCCESS"]);
    expect(all.queries[0]!.error).toMatch(/customer_id/);
    expect((await listQueryLog(analystA, { status: "SUCCESS" }, { offset: 0, limit: 50 })).total).toBe(1);
    expect((await listQueryLog(analystA, { search: "count(distinct" }, { offset: 0, limit: 50 })).queries.map((q) => q.status)).toEqual(["SUCCESS"]);
    expect((await listQueryLog(analystA, { user: "ANALYST@org-a.example" }, { offset: 0, limit: 1 })).total).toBe(2);
    expect((await listQueryLog(analystB, {}, { offset: 0, limit: 50 })).total).toBe(0);
    const exported = [];
    for await (const row of queryLogRows(analystA, {})) exported.push(row.status);
    expect(exported).toEqual(["REFUSED", "SUCCESS"]);
  });

  it("can be cancelled, and belong to their organization only", async () => {
    const id = await startQuery(analystA, collaborationId, overlap);
    await cancelQuery(analystA, id).catch(() => undefined); // it may already have finished
    expect(["CANCELLED", "SUCCESS"]).toContain((await finished(analystA, id)).status);
    expect(await getQuery(analystB, id)).toBeNull();
    expect(await readResult(analystB, id)).toBeNull();
    await expect(cancelQuery(analystB, id)).rejects.toThrow("There is no such query.");
    await expect(startQuery(analystB, collaborationId, overlap)).rejects.toThrow();
  });

  it("deliver Parquet when asked, read back like CSV", async () => {
    const id = await startQuery(analystA, collaborationId, overlap, "PARQUET");
    const state = await finished(analystA, id);
    expect(state.resultLocation).toMatch(/\.parquet$/);
    const result = await readResult(analystA, id);
    expect(result?.columns).toEqual(["region", "customers", "score"]);
    expect(result?.rows.map((r) => [r[0], r[1]]).sort()).toEqual([
      ["north", "10"],
      ["south", "10"],
    ]);
  });

  it("run analysis templates with values bound to their parameters, and log the template and the values", async () => {
    const [ownerA, adminA] = [await actorFor("owner@org-a.example"), await actorFor("admin@org-a.example")];
    const csv = "customer_id,region,visits\n" + Array.from({ length: 30 }, (_, i) => `${i},${["north", "south"][i % 2]},${i % 10}`).join("\n") + "\n";
    await catalogueDataset(ownerA, "a_visits", csv);
    const tableId = await createConfiguredTable(ownerA, { name: "a_visits", dataset: "a_visits", columns: ["customer_id", "region", "visits"] });
    await saveAnalysisRule(ownerA, tableId, { type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [adminA.awsAccountId] } });
    await associateTable(ownerA, collaborationId, { configuredTableId: tableId, name: "a_visits", resultReceivers: [adminA.awsAccountId] });
    const clients = await awsClientsFor(adminA);
    const membership = await membershipOf(clients, collaborationId);
    const { analysisTemplate } = await clients.cleanrooms.send(
      new CreateAnalysisTemplateCommand({
        membershipIdentifier: membership!.id!,
        name: "frequent_visitors",
        format: "SQL",
        source: { text: "SELECT region, COUNT(*) AS n FROM a_visits WHERE visits >= :minimum GROUP BY region ORDER BY region" },
        analysisParameters: [{ name: "minimum", type: "INTEGER", defaultValue: "0" }],
      }),
    );
    const run = async (parameters: Record<string, string>) =>
      (await readResult(analystA, await finished(analystA, await startTemplateQuery(analystA, collaborationId, analysisTemplate!.arn!, parameters)).then((s) => s.id)))!.rows;
    expect(await run({})).toEqual([
      ["north", "15"],
      ["south", "15"],
    ]);
    // A value is bound, never spliced: SQL in it is just a (wrong) value.
    expect(await run({ minimum: "8", ignored: "1" })).toEqual([
      ["north", "3"],
      ["south", "3"],
    ]);
    await expect(startTemplateQuery(analystA, collaborationId, analysisTemplate!.arn!, { minimum: "0 OR 1=1" })).resolves.toBeTruthy();
    const [latest, withValue] = await ownQueries(analystA);
    expect(withValue).toMatchObject({ templateName: "frequent_visitors", parameters: { minimum: "8" }, status: "SUCCESS" });
    expect(withValue!.sql).toContain(":minimum");
    expect(await finished(analystA, latest!.id)).toMatchObject({ status: "FAILED" });
  });
});
