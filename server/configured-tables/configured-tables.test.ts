import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TableRule } from "@/lib/analysis-rules";
import { AppError } from "@/lib/errors";
import type { AwsPrincipal } from "@/server/aws/clients";
import { catalogueDataset } from "@/server/testing/datasets";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { createConfiguredTable, deleteConfiguredTable, getConfiguredTable, listConfiguredTables, saveAnalysisRule } from "./configured-tables";

// Configured tables through the console's clients against a real local cloud: made from a
// catalogued dataset, guarded by one rule that can change type, and private to their organization.
let cloud: TestCloud;
let orgA: AwsPrincipal;
let orgB: AwsPrincipal;
const aggregation: TableRule = {
  type: "AGGREGATION",
  policy: {
    aggregateColumns: [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }],
    joinColumns: ["customer_id"],
    dimensionColumns: ["region"],
    scalarFunctions: [],
    outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
  },
};

beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
  orgA = { awsAccountId: (await cloud.credentials("org-a")).accountId };
  orgB = { awsAccountId: (await cloud.credentials("org-b")).accountId };
  await catalogueDataset(orgA, "customers", "customer_id,region,email\n1,north,a@x\n2,south,b@x\n");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

describe("configured tables", () => {
  let id: string;
  it("are made from a catalogued dataset with the chosen columns", async () => {
    id = await createConfiguredTable(orgA, { name: "customers_ct", description: "Customers", dataset: "customers", columns: ["customer_id", "region"] });
    const table = await getConfiguredTable(orgA, id);
    expect(table).toMatchObject({ name: "customers_ct", dataset: "customers", allowedColumns: ["customer_id", "region"], rule: null });
    expect((await listConfiguredTables(orgA)).map((t) => t.name)).toEqual(["customers_ct"]);
  });

  it("report the API's complaints beside the form's fields", async () => {
    const error = await createConfiguredTable(orgA, { name: "bad", dataset: "customers", columns: ["no_such_column"] }).catch((e: AppError) => e);
    expect(error).toBeInstanceOf(AppError);
    expect(Object.keys((error as AppError).fieldErrors ?? {})).toEqual(["columns"]);
    await expect(createConfiguredTable(orgA, { name: "x", dataset: "nothing", columns: ["a"] })).rejects.toThrow('There is no dataset "nothing".');
  });

  it("take one rule, which can be replaced by a rule of another type, and refuse an invalid one beside its field", async () => {
    await saveAnalysisRule(orgA, id, aggregation);
    expect((await getConfiguredTable(orgA, id))?.rule).toEqual(aggregation);
    const list: TableRule = { type: "LIST", policy: { joinColumns: ["customer_id"], listColumns: ["region"] } };
    await saveAnalysisRule(orgA, id, list);
    expect((await getConfiguredTable(orgA, id))?.rule).toMatchObject(list);

    const refused = await saveAnalysisRule(orgA, id, { ...aggregation, policy: { ...aggregation.policy, dimensionColumns: ["email"] } }).catch((e: AppError) => e);
    expect((refused as AppError).fieldErrors).toEqual({ dimensionColumns: [expect.stringContaining('Column "email" is not an allowed column')] });
    // The refused replacement left the previous rule in place.
    expect((await getConfiguredTable(orgA, id))?.rule).toMatchObject(list);
  });

  it("are invisible to another organization", async () => {
    expect(await listConfiguredTables(orgB)).toEqual([]);
    expect(await getConfiguredTable(orgB, id)).toBeNull();
    await expect(saveAnalysisRule(orgB, id, aggregation)).rejects.toThrow("That configured table does not exist.");
    await expect(deleteConfiguredTable(orgB, id)).rejects.toThrow();
    expect(await getConfiguredTable(orgA, id)).not.toBeNull();
  });

  it("can be deleted by their owner", async () => {
    await deleteConfiguredTable(orgA, id);
    expect(await getConfiguredTable(orgA, id)).toBeNull();
  });
});
