import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { TableRule } from "@/lib/analysis-rules";
import { runCommand } from "@/server/auth/action";
import type { Actor } from "@/server/auth/actor";
import { associateTableCommand, deleteCollaborationCommand, joinCollaborationCommand, leaveCollaborationCommand } from "@/server/collaborations/commands";
import { createCollaboration, getCollaboration } from "@/server/collaborations/collaborations";
import { deleteConfiguredTableCommand, saveAnalysisRuleCommand } from "@/server/configured-tables/commands";
import { createConfiguredTable, getConfiguredTable } from "@/server/configured-tables/configured-tables";
import { crawlDatasetCommand, deleteDatasetCommand } from "@/server/datasets/commands";
import { getDataset, listDatasets, previewDataset } from "@/server/datasets/datasets";
import { catalogueDataset } from "@/server/testing/datasets";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { actorFor } from "@/server/testing/actors";

// Org-b's people call the console's server actions directly with org-a's dataset names, table and
// collaboration ids: every action acts through org-b's own AWS account, so each finds nothing of
// org-a's, changes nothing, and says so without revealing anything. The same actions refuse a role
// that lacks the permission before any AWS call.
let cloud: TestCloud;
let ownerA: Actor;
let adminB: Actor;
let ownerB: Actor;
let analystB: Actor;
let tableId: string;
let collaborationId: string;
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

beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
  ownerA = await actorFor("owner@org-a.example");
  adminB = await actorFor("admin@org-b.example");
  ownerB = await actorFor("owner@org-b.example");
  analystB = await actorFor("analyst@org-b.example");
  await catalogueDataset(ownerA, "customers", "customer_id,region\n1,north\n2,south\n");
  tableId = await createConfiguredTable(ownerA, { name: "customers", dataset: "customers", columns: ["customer_id", "region"] });
  const adminA = await actorFor("admin@org-a.example");
  collaborationId = await createCollaboration(adminA, {
    name: "A only",
    description: "org-b is not invited",
    creatorDisplayName: "A",
    creatorAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
    members: [{ accountId: "333333333333", displayName: "C", abilities: [] }],
    queryLogStatus: "DISABLED",
    encryption: null,
  });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

describe("another organization's server actions", () => {
  it("cannot read, crawl or delete org-a's dataset", async () => {
    expect(await listDatasets(ownerB)).toEqual([]);
    expect(await previewDataset(ownerB, "customers")).toBeNull();
    expect(await runCommand(ownerB, crawlDatasetCommand, { name: "customers" })).toMatchObject({ status: "error" });
    expect(await runCommand(ownerB, deleteDatasetCommand, { name: "customers" })).toMatchObject({ status: "error" });
    expect((await getDataset(ownerA, "customers"))?.file).not.toBeNull();
  });

  it("cannot change or delete org-a's configured table", async () => {
    expect(await runCommand(ownerB, saveAnalysisRuleCommand, { id: tableId, rule: JSON.stringify(rule) })).toMatchObject({ status: "error", message: "That configured table does not exist." });
    expect(await runCommand(ownerB, deleteConfiguredTableCommand, { id: tableId, name: "customers" })).toMatchObject({ status: "error" });
    expect(await getConfiguredTable(ownerA, tableId)).toMatchObject({ name: "customers", rule: null });
  });

  it("cannot join, use, leave or delete a collaboration it was not invited to, nor associate org-a's table", async () => {
    expect(await getCollaboration(adminB, collaborationId)).toBeNull();
    for (const [command, input] of [
      [joinCollaborationCommand, { id: collaborationId }],
      [leaveCollaborationCommand, { id: collaborationId }],
      [deleteCollaborationCommand, { id: collaborationId }],
    ] as const) {
      const state = await runCommand(adminB, command, input);
      expect(state.status).toBe("error");
      expect(state.message).not.toContain("A only");
    }
    expect(await runCommand(ownerB, associateTableCommand, { id: collaborationId, configuredTableId: tableId, name: "stolen", resultReceivers: [] })).toMatchObject({ status: "error" });
    expect((await getCollaboration(ownerA, collaborationId))?.tables).toEqual([]);
  });

  it("refuses roles without the permission before any call", async () => {
    expect(await runCommand(analystB, deleteDatasetCommand, { name: "customers" })).toMatchObject({ status: "error", message: "Your role does not allow this action." });
    expect(await runCommand(ownerB, joinCollaborationCommand, { id: collaborationId })).toMatchObject({ status: "error", message: "Your role does not allow this action." });
    expect(await runCommand(null, saveAnalysisRuleCommand, { id: tableId, rule: JSON.stringify(rule) })).toMatchObject({ status: "error", message: "Your session has ended. Sign in again." });
  });
});
