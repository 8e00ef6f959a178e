import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TableRule } from "@/lib/analysis-rules";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/server/auth/actor";
import { associateTable } from "@/server/collaborations/collaborations";
import { createConfiguredTable, saveAnalysisRule } from "@/server/configured-tables/configured-tables";
import { accepted, fixtureSql, refused, tables } from "@/server/engine/sql/corpus";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { actorFor } from "@/server/testing/actors";
import { twoMemberCollaboration } from "@/server/testing/collaborations";
import { catalogueDataset } from "@/server/testing/datasets";
import { catalogFor } from "@/server/local-cloud/services/cleanrooms/protected-queries/catalog";
import type { CollaborationBody } from "@/server/local-cloud/services/cleanrooms/model";
import { findResource } from "@/server/local-cloud/services/cleanrooms/resources";
import { catalogOf, checkQuery } from "./check";
import { getQuery, startQuery } from "./queries";

// The check as you type and Run must give the same verdict: the engine's query corpus, set up as
// a real collaboration of two organizations in the local cloud, goes through the console's
// check (schemas and rules read through the API) and through StartProtectedQuery.
let cloud: TestCloud;
let analystA: Actor;
let collaborationId: string;
let accountOf: (account: string) => string;

async function finalStatus(actor: Actor, id: string): Promise<string> {
  for (let i = 0; i < 600; i++) {
    const state = await getQuery(actor, id);
    if (state && ["SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT"].includes(state.status)) return state.status + (state.error ? `: ${state.error}` : "");
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("the query did not finish");
}

/** What Run says: the refusal's words, or the query's final status. */
async function run(sql: string): Promise<{ refused: string } | { status: string }> {
  try {
    return { status: await finalStatus(analystA, await startQuery(analystA, collaborationId, sql)) };
  } catch (error) {
    if (error instanceof AppError) return { refused: error.message };
    throw error;
  }
}

beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
  const [ownerA, ownerB] = await Promise.all(["owner@org-a.example", "owner@org-b.example"].map(actorFor));
  const { adminA, adminB, collaborationId: created } = await twoMemberCollaboration("corpus");
  collaborationId = created;
  analystA = await actorFor("analyst@org-a.example");
  const accounts: Record<string, string> = { "111111111111": adminA!.awsAccountId, "222222222222": adminB!.awsAccountId };
  accountOf = (account) => accounts[account] ?? account;

  // The corpus's data, every column of it (allowed or not), as CSV files the crawler catalogues.
  const instance = await DuckDBInstance.create(":memory:");
  const db = await instance.connect();
  await db.run(fixtureSql);
  for (const table of tables) {
    const owner = table.ownerAccountId === "111111111111" ? ownerA! : ownerB!;
    const exists = (await db.runAndReadAll(`SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '${table.name}'`)).getRowObjectsJS()[0]!.n;
    const reader = await db.runAndReadAll(Number(exists) ? `SELECT * FROM ${table.name}` : "SELECT range AS customer_id, range % 5 AS visits FROM range(50)");
    const header = reader.columnNames().join(",");
    const csv = [header, ...reader.getRowsJS().map((row) => row.map(String).join(","))].join("\n") + "\n";
    await catalogueDataset(owner, table.name, csv);
    const id = await createConfiguredTable(owner, { name: table.name, dataset: table.name, columns: table.columns.map((c) => c.name) });
    // The corpus's rules, with its two accounts standing for the two organizations.
    if (table.rule) await saveAnalysisRule(owner, id, JSON.parse(JSON.stringify(table.rule).replace(/\d{12}/g, accountOf)) as TableRule);
    await associateTable(owner, collaborationId, { configuredTableId: id, name: table.name, resultReceivers: table.rule ? [adminA!.awsAccountId] : [] });
  }
  db.closeSync();
  instance.closeSync();
}, 120_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

describe("the check as you type", () => {
  it("reads, through the API, exactly the catalog StartProtectedQuery validates against", async () => {
    // The same validator on the same catalog cannot disagree: the tables, owners, column types,
    // rules and result receivers the console assembles from the schemas are the engine's own.
    const collaboration = (await findResource<CollaborationBody>("collaboration", collaborationId))!;
    const engine = (await catalogFor(collaboration, analystA.awsAccountId)).catalog;
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    const fromApi = await catalogOf(analystA, collaborationId);
    expect(fromApi.runnerAccountId).toBe(engine.runnerAccountId);
    expect([...fromApi.tables].sort(byName)).toEqual([...engine.tables].sort(byName));
    expect(fromApi.tables.some((t) => t.resultReceivers?.length)).toBe(true);
  });

  it.each(accepted.map((q) => [q.sql]))("allows what Run runs: %s", async (sql) => {
    const check = await checkQuery(analystA, collaborationId, sql);
    expect(check.verdict).toBe("allowed");
    expect(await run(sql)).toEqual({ status: "SUCCESS" });
  });

  it.each(refused.map(([sql]) => [sql]))("refuses, in Run's words, what Run refuses: %s", async (sql) => {
    const check = await checkQuery(analystA, collaborationId, sql);
    expect(check.verdict).toBe("refused");
    expect(await run(sql)).toEqual({ refused: check.message });
  });
});
