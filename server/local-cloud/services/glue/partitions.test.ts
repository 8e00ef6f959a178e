import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  BatchGetPartitionCommand,
  CreateCrawlerCommand,
  CreateDatabaseCommand,
  CreatePartitionCommand,
  DeletePartitionCommand,
  GetCrawlerCommand,
  GetPartitionsCommand,
  GetTableCommand,
  StartCrawlerCommand,
  type GlueClient,
} from "@aws-sdk/client-glue";
import {
  CreateCollaborationCommand,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  GetProtectedQueryCommand,
  StartProtectedQueryCommand,
  type CleanRoomsClient,
} from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

// A dataset kept in Hive-style folders (sales/year=2024/region=eu/…): the crawler makes one
// partitioned table, the partitions are served by Glue's partition operations, and a protected
// query reads every registered partition with its values as columns.
let cloud: TestCloud;
let glue: GlueClient;
let s3: S3Client;
let cleanrooms: CleanRoomsClient;

const csv = (rows: number, first: number) => ["customer_id,amount", ...Array.from({ length: rows }, (_, i) => `${first + i},${(i % 7) + 1}`)].join("\n");

beforeAll(async () => {
  cloud = await startTestCloud();
  [glue, s3, cleanrooms] = [await cloud.glue("org-a"), await cloud.s3("org-a"), await cloud.cleanrooms("org-a")];
  await s3.send(new CreateBucketCommand({ Bucket: "partitioned" }));
  await s3.send(new CreateBucketCommand({ Bucket: "partitioned-results" }));
  await s3.send(new PutObjectCommand({ Bucket: "partitioned", Key: "sales/year=2024/region=eu/part-0.csv", Body: csv(3, 1) }));
  await s3.send(new PutObjectCommand({ Bucket: "partitioned", Key: "sales/year=2024/region=us/part-0.csv", Body: csv(5, 100) }));
  await s3.send(new PutObjectCommand({ Bucket: "partitioned", Key: "sales/year=2025/region=eu/part-0.csv", Body: csv(4, 200) }));
  await s3.send(new PutObjectCommand({ Bucket: "partitioned", Key: "sales/year=2025/region=eu/part-1.csv", Body: csv(2, 300) }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "lake" } }));
  await glue.send(new CreateCrawlerCommand({ Name: "lake", Role: "arn:aws:iam::111111111111:role/Glue", DatabaseName: "lake", Targets: { S3Targets: [{ Path: "s3://partitioned/" }] } }));
  await glue.send(new StartCrawlerCommand({ Name: "lake" }));
  for (let i = 0; i < 200 && (await glue.send(new GetCrawlerCommand({ Name: "lake" }))).Crawler?.State !== "READY"; i++) await new Promise((r) => setTimeout(r, 50));
});
afterAll(async () => {
  await cloud.close();
});

it("crawls Hive folders into one table partitioned by their keys", async () => {
  const { Table } = await glue.send(new GetTableCommand({ DatabaseName: "lake", Name: "sales" }));
  expect(Table!.PartitionKeys).toEqual([
    { Name: "year", Type: "string" },
    { Name: "region", Type: "string" },
  ]);
  expect(Table!.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(["customer_id", "amount"]);
  expect(Table!.StorageDescriptor!.Location).toBe("s3://partitioned/sales/");

  const { Partitions } = await glue.send(new GetPartitionsCommand({ DatabaseName: "lake", TableName: "sales" }));
  expect(Partitions!.map((p) => [p.Values, p.StorageDescriptor!.Location])).toEqual([
    [["2024", "eu"], "s3://partitioned/sales/year=2024/region=eu/"],
    [["2024", "us"], "s3://partitioned/sales/year=2024/region=us/"],
    [["2025", "eu"], "s3://partitioned/sales/year=2025/region=eu/"],
  ]);
  const filtered = await glue.send(new GetPartitionsCommand({ DatabaseName: "lake", TableName: "sales", Expression: "region = 'eu' AND year = '2025'" }));
  expect(filtered.Partitions!.map((p) => p.Values)).toEqual([["2025", "eu"]]);
  await expect(glue.send(new GetPartitionsCommand({ DatabaseName: "lake", TableName: "sales", Expression: "year > 2024" }))).rejects.toMatchObject({ name: "InvalidInputException" });

  const batch = await glue.send(new BatchGetPartitionCommand({ DatabaseName: "lake", TableName: "sales", PartitionsToGet: [{ Values: ["2024", "us"] }, { Values: ["2023", "eu"] }] }));
  expect(batch.Partitions!.map((p) => p.Values)).toEqual([["2024", "us"]]);
  expect(batch.UnprocessedKeys).toEqual([{ Values: ["2023", "eu"] }]);
});

it("keeps partitions as Glue does: values must match the keys, and no partition twice", async () => {
  await expect(glue.send(new CreatePartitionCommand({ DatabaseName: "lake", TableName: "sales", PartitionInput: { Values: ["2026"] } }))).rejects.toMatchObject({ name: "InvalidInputException" });
  await expect(glue.send(new CreatePartitionCommand({ DatabaseName: "lake", TableName: "sales", PartitionInput: { Values: ["2024", "eu"] } }))).rejects.toMatchObject({
    name: "AlreadyExistsException",
  });
  await glue.send(
    new CreatePartitionCommand({
      DatabaseName: "lake",
      TableName: "sales",
      PartitionInput: { Values: ["2026", "apac"], StorageDescriptor: { Location: "s3://partitioned/sales/year=2026/region=apac/" } },
    }),
  );
  await glue.send(new DeletePartitionCommand({ DatabaseName: "lake", TableName: "sales", PartitionValues: ["2026", "apac"] }));
  await expect(glue.send(new DeletePartitionCommand({ DatabaseName: "lake", TableName: "sales", PartitionValues: ["2026", "apac"] }))).rejects.toMatchObject({ name: "EntityNotFoundException" });
});

it("lets a protected query read every partition, with the partition values as columns", async () => {
  const { collaboration } = await cleanrooms.send(
    new CreateCollaborationCommand({
      name: "partitions",
      description: "partitioned data",
      creatorDisplayName: "Organization A",
      creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
      members: [],
      queryLogStatus: "ENABLED",
    }),
  );
  const { membership } = await cleanrooms.send(
    new CreateMembershipCommand({
      collaborationIdentifier: collaboration!.id!,
      queryLogStatus: "ENABLED",
      defaultResultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket: "partitioned-results" } } },
    }),
  );
  const { configuredTable } = await cleanrooms.send(
    new CreateConfiguredTableCommand({
      name: "sales",
      tableReference: { glue: { databaseName: "lake", tableName: "sales" } },
      allowedColumns: ["customer_id", "amount", "year", "region"],
      analysisMethod: "DIRECT_QUERY",
    }),
  );
  await cleanrooms.send(
    new CreateConfiguredTableAnalysisRuleCommand({
      configuredTableIdentifier: configuredTable!.id!,
      analysisRuleType: "AGGREGATION",
      analysisRulePolicy: {
        v1: {
          aggregation: {
            aggregateColumns: [
              { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
              { columnNames: ["amount"], function: "SUM" },
            ],
            joinColumns: [],
            dimensionColumns: ["year", "region"],
            scalarFunctions: [],
            outputConstraints: [{ columnName: "customer_id", minimum: 2, type: "COUNT_DISTINCT" }],
          },
        },
      },
    }),
  );
  await cleanrooms.send(
    new CreateConfiguredTableAssociationCommand({
      membershipIdentifier: membership!.id!,
      configuredTableIdentifier: configuredTable!.id!,
      name: "sales",
      roleArn: "arn:aws:iam::111111111111:role/CleanRooms",
    }),
  );
  const queryString = "SELECT year, region, COUNT(DISTINCT customer_id) AS customers, SUM(amount) AS total FROM sales GROUP BY year, region ORDER BY year, region";
  const { protectedQuery } = await cleanrooms.send(new StartProtectedQueryCommand({ membershipIdentifier: membership!.id!, type: "SQL", sqlParameters: { queryString } }));
  let status = protectedQuery!.status;
  let location: string | undefined;
  for (let i = 0; i < 400 && ["SUBMITTED", "STARTED"].includes(status!); i++) {
    await new Promise((r) => setTimeout(r, 50));
    const found = (await cleanrooms.send(new GetProtectedQueryCommand({ membershipIdentifier: membership!.id!, protectedQueryIdentifier: protectedQuery!.id! }))).protectedQuery!;
    [status, location] = [found.status, found.result?.output?.s3?.location];
  }
  expect(status).toBe("SUCCESS");
  const object = await s3.send(new GetObjectCommand({ Bucket: "partitioned-results", Key: location!.replace("s3://partitioned-results/", "") }));
  const sum = (rows: number) => Array.from({ length: rows }, (_, i) => (i % 7) + 1).reduce((a, b) => a + b, 0);
  expect((await object.Body!.transformToString()).trim().split("\n")).toEqual(["year,region,customers,total", `2024,eu,3,${sum(3)}`, `2024,us,5,${sum(5)}`, `2025,eu,6,${sum(4) + sum(2)}`]);
});
