import {
  BatchDeleteTableCommand,
  CreateCrawlerCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetTablesCommand,
  GetTableVersionsCommand,
  UpdateCrawlerCommand,
  UpdateDatabaseCommand,
  UpdateTableCommand,
  type GlueClient,
} from "@aws-sdk/client-glue";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

// The catalog changes a Glue user makes after creating things: databases and crawlers updated,
// tables' earlier definitions kept as versions, several tables deleted at once.
let cloud: TestCloud;
let glue: GlueClient;
const columns = (...names: string[]) => names.map((Name) => ({ Name, Type: "string" }));

beforeAll(async () => {
  cloud = await startTestCloud();
  glue = await cloud.glue("org-a");
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "sales" } }));
});
afterAll(async () => {
  await cloud.close();
});

it("updates a database's description but never its name", async () => {
  await glue.send(new UpdateDatabaseCommand({ Name: "sales", DatabaseInput: { Name: "sales", Description: "orders by region" } }));
  expect((await glue.send(new GetDatabaseCommand({ Name: "sales" }))).Database!.Description).toBe("orders by region");
  expect(await glue.send(new UpdateDatabaseCommand({ Name: "sales", DatabaseInput: { Name: "renamed" } })).catch((e: Error) => e.name)).toBe("InvalidInputException");
  expect(await glue.send(new UpdateDatabaseCommand({ Name: "missing", DatabaseInput: { Name: "missing" } })).catch((e: Error) => e.name)).toBe("EntityNotFoundException");
});

it("keeps every earlier definition of a table as a version, newest first", async () => {
  await glue.send(new CreateTableCommand({ DatabaseName: "sales", TableInput: { Name: "orders", StorageDescriptor: { Columns: columns("id") } } }));
  await glue.send(new UpdateTableCommand({ DatabaseName: "sales", TableInput: { Name: "orders", StorageDescriptor: { Columns: columns("id", "region") } } }));
  await glue.send(new UpdateTableCommand({ DatabaseName: "sales", TableInput: { Name: "orders", StorageDescriptor: { Columns: columns("id", "region", "amount") } } }));
  const { TableVersions } = await glue.send(new GetTableVersionsCommand({ DatabaseName: "sales", TableName: "orders" }));
  expect(TableVersions!.map((v) => [v.VersionId, v.Table!.StorageDescriptor!.Columns!.length])).toEqual([
    ["2", 3],
    ["1", 2],
    ["0", 1],
  ]);
  const paged = await glue.send(new GetTableVersionsCommand({ DatabaseName: "sales", TableName: "orders", MaxResults: 2 }));
  const rest = await glue.send(new GetTableVersionsCommand({ DatabaseName: "sales", TableName: "orders", MaxResults: 2, NextToken: paged.NextToken }));
  expect([...paged.TableVersions!, ...rest.TableVersions!].map((v) => v.VersionId)).toEqual(["2", "1", "0"]);
});

it("deletes several tables at once, reporting the ones that were not there", async () => {
  for (const name of ["a", "b"]) await glue.send(new CreateTableCommand({ DatabaseName: "sales", TableInput: { Name: name, StorageDescriptor: { Columns: columns("id") } } }));
  const { Errors } = await glue.send(new BatchDeleteTableCommand({ DatabaseName: "sales", TablesToDelete: ["a", "b", "nope"] }));
  expect(Errors!.map((e) => [e.TableName, e.ErrorDetail!.ErrorCode])).toEqual([["nope", "EntityNotFoundException"]]);
  expect((await glue.send(new GetTablesCommand({ DatabaseName: "sales" }))).TableList!.map((t) => t.Name)).toEqual(["orders"]);
});

it("updates a crawler that is not running, keeping what the update does not name", async () => {
  await glue.send(new CreateCrawlerCommand({ Name: "c", Role: "arn:aws:iam::111111111111:role/Glue", DatabaseName: "sales", Targets: { S3Targets: [{ Path: "s3://nowhere/" }] } }));
  await glue.send(new UpdateCrawlerCommand({ Name: "c", TablePrefix: "raw_", Description: "nightly" }));
  const { Crawler } = await glue.send(new GetCrawlerCommand({ Name: "c" }));
  expect([Crawler!.TablePrefix, Crawler!.Description, Crawler!.DatabaseName, Crawler!.Version]).toEqual(["raw_", "nightly", "sales", 2]);
  expect(await glue.send(new UpdateCrawlerCommand({ Name: "missing", Description: "x" })).catch((e: Error) => e.name)).toBe("EntityNotFoundException");
});
