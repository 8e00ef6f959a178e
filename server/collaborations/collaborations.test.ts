import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TableRule } from "@/lib/analysis-rules";
import type { NewCollaboration } from "@/lib/collaborations";
import { awsClientsFor, type AwsPrincipal } from "@/server/aws/clients";
import { createConfiguredTable, saveAnalysisRule } from "@/server/configured-tables/configured-tables";
import { catalogueDataset } from "@/server/testing/datasets";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import {
  associateTable,
  createCollaboration,
  deleteCollaboration,
  getCollaboration,
  joinCollaboration,
  leaveCollaboration,
  listCollaborations,
  removeAssociation,
  resultsBucketOf,
} from "./collaborations";

// The recipe's collaboration through the console's clients against a real local cloud: org-a
// creates it and invites org-b, org-b joins, both associate a configured table, and each sees the
// other's tables with what their rules allow, never their data.
let cloud: TestCloud;
let orgA: AwsPrincipal;
let orgB: AwsPrincipal;
const rule: TableRule = {
  type: "AGGREGATION",
  policy: {
    aggregateColumns: [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }],
    joinColumns: ["customer_id"],
    dimensionColumns: ["region"],
    scalarFunctions: [],
    outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
  },
};

async function configuredTable(principal: AwsPrincipal, name: string) {
  await catalogueDataset(principal, name, "customer_id,region\n1,north\n2,south\n");
  const id = await createConfiguredTable(principal, { name, dataset: name, columns: ["customer_id", "region"] });
  await saveAnalysisRule(principal, id, rule);
  return id;
}

const recipe = (b: string): NewCollaboration => ({
  name: "Customer overlap",
  description: "Which customers do we share?",
  creatorDisplayName: "Organization A",
  creatorAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
  members: [{ accountId: b, displayName: "Organization B", abilities: [] }],
  queryLogStatus: "ENABLED",
  encryption: null,
});

beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
  orgA = { awsAccountId: (await cloud.credentials("org-a")).accountId };
  orgB = { awsAccountId: (await cloud.credentials("org-b")).accountId };
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

describe("a collaboration", () => {
  let id: string;
  it("is created by org-a, which joins it at once with its results bucket, and invites org-b", async () => {
    id = await createCollaboration(orgA, recipe(orgB.awsAccountId));
    expect((await listCollaborations(orgA)).map((c) => [c.name, c.memberStatus, c.isCreator])).toEqual([["Customer overlap", "ACTIVE", true]]);
    expect((await listCollaborations(orgB)).map((c) => [c.name, c.memberStatus, c.isCreator])).toEqual([["Customer overlap", "INVITED", false]]);
    const a = await awsClientsFor(orgA);
    await a.s3.send(new HeadBucketCommand({ Bucket: resultsBucketOf(orgA.awsAccountId) }));
    const seenByB = await getCollaboration(orgB, id);
    expect(seenByB?.members.map((m) => [m.displayName, m.status])).toEqual([
      ["Organization A", "ACTIVE"],
      ["Organization B", "INVITED"],
    ]);
    expect(seenByB?.tables).toEqual([]);
  });

  it("is joined by org-b, and each member's associated tables are seen by both with their rules", async () => {
    await joinCollaboration(orgB, id);
    await expect(joinCollaboration(orgB, id)).rejects.toThrow("not waiting to join");
    await associateTable(orgA, id, { configuredTableId: await configuredTable(orgA, "a_customers"), name: "a_customers", resultReceivers: [orgA.awsAccountId] });
    await associateTable(orgB, id, { configuredTableId: await configuredTable(orgB, "b_customers"), name: "b_customers" });

    const seenByB = await getCollaboration(orgB, id);
    expect(seenByB?.tables.map((t) => [t.name, t.ownerAccountId, t.rule?.type, t.associationId !== null])).toEqual([
      ["a_customers", orgA.awsAccountId, "AGGREGATION", false],
      ["b_customers", orgB.awsAccountId, "AGGREGATION", true],
    ]);
    expect(seenByB?.tables[0]?.rule).toEqual(rule);
    expect(seenByB?.tables[0]?.columns.map((c) => c.name)).toEqual(["customer_id", "region"]);
    await expect(associateTable(orgB, id, { configuredTableId: "00000000-0000-4000-8000-000000000000", name: "a_customers" })).rejects.toThrow();
  });

  it("is not found by an organization that was never invited", async () => {
    const other = await createCollaboration(orgA, { ...recipe("333333333333"), name: "Without B" });
    expect(await getCollaboration(orgB, other)).toBeNull();
    expect((await listCollaborations(orgB)).map((c) => c.name)).toEqual(["Customer overlap"]);
    await deleteCollaboration(orgA, other);
  });

  it("lets a member remove its table and leave, and its creator delete it", async () => {
    const b = await getCollaboration(orgB, id);
    await removeAssociation(orgB, id, b!.tables.find((t) => t.name === "b_customers")!.associationId!);
    expect((await getCollaboration(orgA, id))?.tables.map((t) => t.name)).toEqual(["a_customers"]);
    await leaveCollaboration(orgB, id);
    expect(await listCollaborations(orgB)).toEqual([]);
    await expect(deleteCollaboration(orgB, id)).rejects.toThrow();
    await deleteCollaboration(orgA, id);
    expect(await listCollaborations(orgA)).toEqual([]);
  });
});
