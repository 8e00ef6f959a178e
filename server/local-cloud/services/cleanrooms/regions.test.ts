import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from "@aws-sdk/client-glue";
import {
  CleanRoomsClient,
  CreateCollaborationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  GetCollaborationCommand,
  GetConfiguredTableCommand,
  ListCollaborationsCommand,
  ListConfiguredTablesCommand,
  ListMembershipsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

// As on AWS, a Clean Rooms resource lives in the region of the request that created it: from
// another region it is neither listed nor found, while its own region sees it as before.
let cloud: TestCloud;
const client = async (slug: string, region: string) => {
  const { accessKeyId, secretAccessKey } = await cloud.credentials(slug);
  const common = { endpoint: cloud.endpoint, region, credentials: { accessKeyId, secretAccessKey } };
  return { cleanrooms: new CleanRoomsClient(common), glue: new GlueClient(common) };
};

beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud.close();
});

it("keeps collaborations, memberships and configured tables in their region", async () => {
  const ohio = await client("org-a", "us-east-2");
  const ireland = await client("org-a", "eu-west-1");
  const ohioB = await client("org-b", "us-east-2");
  const irelandB = await client("org-b", "eu-west-1");
  const { collaboration } = await ohio.cleanrooms.send(
    new CreateCollaborationCommand({
      name: "ohio",
      description: "regional",
      creatorDisplayName: "A",
      creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
      members: [{ accountId: "222222222222", displayName: "B", memberAbilities: [] }],
      queryLogStatus: "DISABLED",
    }),
  );
  expect(collaboration!.arn).toContain(":us-east-2:");
  const id = collaboration!.id!;

  expect((await ohio.cleanrooms.send(new ListCollaborationsCommand({}))).collaborationList!.map((c) => c.id)).toContain(id);
  expect((await ireland.cleanrooms.send(new ListCollaborationsCommand({}))).collaborationList!.map((c) => c.id)).not.toContain(id);
  expect(await ireland.cleanrooms.send(new GetCollaborationCommand({ collaborationIdentifier: id })).catch((e: Error) => e.name)).toBe("ResourceNotFoundException");
  expect(await irelandB.cleanrooms.send(new CreateMembershipCommand({ collaborationIdentifier: id, queryLogStatus: "DISABLED" })).catch((e: Error) => e.name)).toBe("ResourceNotFoundException");
  const { membership } = await ohioB.cleanrooms.send(new CreateMembershipCommand({ collaborationIdentifier: id, queryLogStatus: "DISABLED" }));
  expect((await ohioB.cleanrooms.send(new ListMembershipsCommand({}))).membershipSummaries!.map((m) => m.id)).toContain(membership!.id);
  expect((await irelandB.cleanrooms.send(new ListMembershipsCommand({}))).membershipSummaries!.map((m) => m.id)).not.toContain(membership!.id);
  expect(await ireland.cleanrooms.send(new ListTagsForResourceCommand({ resourceArn: collaboration!.arn! })).catch((e: Error) => e.name)).toBe("ResourceNotFoundException");

  await ohio.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "regional" } }));
  await ohio.glue.send(new CreateTableCommand({ DatabaseName: "regional", TableInput: { Name: "t", StorageDescriptor: { Columns: [{ Name: "id", Type: "bigint" }] } } }));
  const { configuredTable } = await ohio.cleanrooms.send(
    new CreateConfiguredTableCommand({ name: "t", tableReference: { glue: { databaseName: "regional", tableName: "t" } }, allowedColumns: ["id"], analysisMethod: "DIRECT_QUERY" }),
  );
  expect((await ireland.cleanrooms.send(new ListConfiguredTablesCommand({}))).configuredTableSummaries!.map((t) => t.id)).not.toContain(configuredTable!.id);
  expect(await ireland.cleanrooms.send(new GetConfiguredTableCommand({ configuredTableIdentifier: configuredTable!.id! })).catch((e: Error) => e.name)).toBe("ResourceNotFoundException");
  expect((await ohio.cleanrooms.send(new GetConfiguredTableCommand({ configuredTableIdentifier: configuredTable!.id! }))).configuredTable!.name).toBe("t");
});
