import { CreateCrawlerCommand, CreateDatabaseCommand, CreateTableCommand, GetDatabaseCommand, GetDatabasesCommand, GetTableCommand, GetCrawlersCommand, GlueClient } from "@aws-sdk/client-glue";
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

it("keeps a Data Catalog per region: databases, tables and crawlers of one region are absent from another", async () => {
  const ohio = await client("org-a", "us-east-2");
  const ireland = await client("org-a", "eu-west-1");
  await ohio.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "sales", Description: "ohio" } }));
  await ohio.glue.send(new CreateTableCommand({ DatabaseName: "sales", TableInput: { Name: "orders", StorageDescriptor: { Columns: [{ Name: "id", Type: "bigint" }] } } }));
  await ohio.glue.send(new CreateCrawlerCommand({ Name: "sales-crawler", Role: "arn:aws:iam::111111111111:role/crawler", DatabaseName: "sales", Targets: { S3Targets: [{ Path: "s3://nowhere/" }] } }));

  expect((await ireland.glue.send(new GetDatabasesCommand({}))).DatabaseList!.map((d) => d.Name)).not.toContain("sales");
  expect(await ireland.glue.send(new GetDatabaseCommand({ Name: "sales" })).catch((e: Error) => e.name)).toBe("EntityNotFoundException");
  expect(await ireland.glue.send(new GetTableCommand({ DatabaseName: "sales", Name: "orders" })).catch((e: Error) => e.name)).toBe("EntityNotFoundException");
  expect((await ireland.glue.send(new GetCrawlersCommand({}))).Crawlers!.map((c) => c.Name)).not.toContain("sales-crawler");

  // The same names are free in another region, and each region answers its own.
  await ireland.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "sales", Description: "ireland" } }));
  expect((await ireland.glue.send(new GetDatabaseCommand({ Name: "sales" }))).Database!.Description).toBe("ireland");
  expect((await ohio.glue.send(new GetDatabaseCommand({ Name: "sales" }))).Database!.Description).toBe("ohio");

  // A configured table reads the Glue table of its own region unless the reference names another.
  expect(
    await ireland.cleanrooms
      .send(new CreateConfiguredTableCommand({ name: "orders", tableReference: { glue: { databaseName: "sales", tableName: "orders" } }, allowedColumns: ["id"], analysisMethod: "DIRECT_QUERY" }))
      .catch((e: Error) => e.name),
  ).toBe("ValidationException");
  const { configuredTable } = await ireland.cleanrooms.send(
    new CreateConfiguredTableCommand({
      name: "orders",
      tableReference: { glue: { databaseName: "sales", tableName: "orders", region: "us-east-2" } },
      allowedColumns: ["id"],
      analysisMethod: "DIRECT_QUERY",
    }),
  );
  expect(configuredTable!.tableReference).toEqual({ glue: { databaseName: "sales", tableName: "orders", region: "us-east-2" } });
});
