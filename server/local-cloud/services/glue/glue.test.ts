import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { CreateBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  CreateCrawlerCommand,
  CreateDatabaseCommand,
  CreateTableCommand,
  DeleteCrawlerCommand,
  DeleteDatabaseCommand,
  DeleteTableCommand,
  GetCrawlerCommand,
  GetDatabaseCommand,
  GetDatabasesCommand,
  GetTableCommand,
  GetTablesCommand,
  StartCrawlerCommand,
  StopCrawlerCommand,
  UpdateTableCommand,
  type GlueClient,
} from "@aws-sdk/client-glue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

let cloud: TestCloud;
let glueA: GlueClient;
let glueB: GlueClient;
let s3A: S3Client;

async function errorOf(promise: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

async function crawlToEnd(client: GlueClient, name: string) {
  await client.send(new StartCrawlerCommand({ Name: name }));
  for (let i = 0; i < 200; i++) {
    const { Crawler } = await client.send(new GetCrawlerCommand({ Name: name }));
    if (Crawler?.State === "READY") return Crawler;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the crawler did not finish");
}

beforeAll(async () => {
  cloud = await startTestCloud();
  glueA = await cloud.glue("org-a");
  glueB = await cloud.glue("org-b");
  s3A = await cloud.s3("org-a");
});
afterAll(async () => {
  await cloud.close();
});

describe("catalog", () => {
  it("creates, reads, pages, updates and deletes databases and tables", async () => {
    await glueA.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "Clean_Rooms_Analytics", Description: "demo" } }));
    const { Database } = await glueA.send(new GetDatabaseCommand({ Name: "clean_rooms_analytics" }));
    expect(Database).toMatchObject({ Name: "clean_rooms_analytics", Description: "demo", CatalogId: "111111111111" });
    expect(Database?.CreateTime).toBeInstanceOf(Date);
    for (let i = 0; i < 5; i++) {
      await glueA.send(
        new CreateTableCommand({
          DatabaseName: "clean_rooms_analytics",
          TableInput: { Name: `t${i}`, StorageDescriptor: { Columns: [{ Name: "id", Type: "bigint" }], Location: `s3://x/t${i}/` } },
        }),
      );
    }
    const first = await glueA.send(new GetTablesCommand({ DatabaseName: "clean_rooms_analytics", MaxResults: 2 }));
    expect(first.TableList?.map((t) => t.Name)).toEqual(["t0", "t1"]);
    const second = await glueA.send(new GetTablesCommand({ DatabaseName: "clean_rooms_analytics", MaxResults: 2, NextToken: first.NextToken }));
    expect(second.TableList?.map((t) => t.Name)).toEqual(["t2", "t3"]);
    const filtered = await glueA.send(new GetTablesCommand({ DatabaseName: "clean_rooms_analytics", Expression: "t[34]" }));
    expect(filtered.TableList?.map((t) => t.Name)).toEqual(["t3", "t4"]);
    await glueA.send(
      new UpdateTableCommand({ DatabaseName: "clean_rooms_analytics", TableInput: { Name: "t0", Description: "updated", StorageDescriptor: { Columns: [{ Name: "id", Type: "string" }] } } }),
    );
    const { Table } = await glueA.send(new GetTableCommand({ DatabaseName: "clean_rooms_analytics", Name: "t0" }));
    expect(Table).toMatchObject({ Description: "updated", VersionId: "1", StorageDescriptor: { Columns: [{ Name: "id", Type: "string" }] } });
    await glueA.send(new DeleteTableCommand({ DatabaseName: "clean_rooms_analytics", Name: "t4" }));
    expect((await errorOf(glueA.send(new GetTableCommand({ DatabaseName: "clean_rooms_analytics", Name: "t4" })))).name).toBe("EntityNotFoundException");
    expect((await errorOf(glueA.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "clean_rooms_analytics" } })))).name).toBe("AlreadyExistsException");
    await glueA.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "scratch" } }));
    await glueA.send(new DeleteDatabaseCommand({ Name: "scratch" }));
    expect((await glueA.send(new GetDatabasesCommand({}))).DatabaseList?.map((d) => d.Name)).toEqual(["clean_rooms_analytics"]);
  });

  it("keeps each account's catalog to itself", async () => {
    expect((await glueB.send(new GetDatabasesCommand({}))).DatabaseList).toEqual([]);
    expect((await errorOf(glueB.send(new GetTableCommand({ DatabaseName: "clean_rooms_analytics", Name: "t0" })))).name).toBe("EntityNotFoundException");
    expect((await errorOf(glueB.send(new DeleteDatabaseCommand({ Name: "clean_rooms_analytics" })))).name).toBe("EntityNotFoundException");
    // The same name in another account is another database.
    await glueB.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "clean_rooms_analytics" } }));
    expect((await glueA.send(new GetTablesCommand({ DatabaseName: "clean_rooms_analytics" }))).TableList).toHaveLength(4);
  });

  it("answers malformed and incomplete requests as Glue does", async () => {
    expect((await errorOf(glueA.send(new CreateDatabaseCommand({} as never)))).name).toBe("ValidationException");
    const raw = await fetch(cloud.endpoint, { method: "POST", headers: { "x-amz-target": "AWSGlue.GetDatabases", "content-type": "application/x-amz-json-1.1" }, body: "{" });
    expect(raw.status).toBe(403);
    expect(raw.headers.get("x-amzn-errortype")).toBe("MissingAuthenticationTokenException");
  });
});

describe("crawlers", () => {
  beforeAll(async () => {
    await s3A.send(new CreateBucketCommand({ Bucket: "org-a-lake" }));
    const csv = ["customer_id,age_group,region,purchase_amount,signup_date", "1,25-34,West,120.50,2024-01-03", "2,35-44,East,80.00,2024-02-11"].join("\n");
    await s3A.send(new PutObjectCommand({ Bucket: "org-a-lake", Key: "raw/customers/part-1.csv", Body: csv }));
    await s3A.send(new PutObjectCommand({ Bucket: "org-a-lake", Key: "raw/customers/_SUCCESS", Body: "" }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parquet-"));
    const file = path.join(dir, "engagement.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT range::BIGINT AS customer_id, (range % 100)::DOUBLE AS engagement_score, 'email' AS channel FROM range(50)) TO '${file}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    await s3A.send(new PutObjectCommand({ Bucket: "org-a-lake", Key: "raw/engagement/data.parquet", Body: fs.readFileSync(file) }));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("infers one table per folder from CSV and Parquet, with Glue types and serdes", async () => {
    await glueA.send(
      new CreateCrawlerCommand({ Name: "lake", Role: "arn:aws:iam::111111111111:role/GlueRole", DatabaseName: "clean_rooms_analytics", Targets: { S3Targets: [{ Path: "s3://org-a-lake/raw/" }] } }),
    );
    const crawler = await crawlToEnd(glueA, "lake");
    expect(crawler.LastCrawl).toMatchObject({ Status: "SUCCEEDED" });
    const customers = (await glueA.send(new GetTableCommand({ DatabaseName: "clean_rooms_analytics", Name: "customers" }))).Table!;
    expect(customers.StorageDescriptor?.Columns).toEqual([
      { Name: "customer_id", Type: "bigint" },
      { Name: "age_group", Type: "string" },
      { Name: "region", Type: "string" },
      { Name: "purchase_amount", Type: "double" },
      { Name: "signup_date", Type: "date" },
    ]);
    expect(customers.StorageDescriptor).toMatchObject({ Location: "s3://org-a-lake/raw/customers/", SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe" } });
    expect(customers.Parameters?.classification).toBe("csv");
    const engagement = (await glueA.send(new GetTableCommand({ DatabaseName: "clean_rooms_analytics", Name: "engagement" }))).Table!;
    expect(engagement.StorageDescriptor?.Columns).toEqual([
      { Name: "customer_id", Type: "bigint" },
      { Name: "engagement_score", Type: "double" },
      { Name: "channel", Type: "string" },
    ]);
    expect(engagement.Parameters?.classification).toBe("parquet");
    expect((await errorOf(glueA.send(new StopCrawlerCommand({ Name: "lake" })))).name).toBe("CrawlerNotRunningException");
    await glueA.send(new DeleteCrawlerCommand({ Name: "lake" }));
  });

  it("fails a crawl of another account's bucket, saying why", async () => {
    await glueB.send(
      new CreateCrawlerCommand({ Name: "peek", Role: "arn:aws:iam::222222222222:role/GlueRole", DatabaseName: "clean_rooms_analytics", Targets: { S3Targets: [{ Path: "s3://org-a-lake/raw/" }] } }),
    );
    const crawler = await crawlToEnd(glueB, "peek");
    expect(crawler.LastCrawl).toMatchObject({ Status: "FAILED", ErrorMessage: expect.stringContaining("Access denied to s3://org-a-lake") });
    expect((await glueB.send(new GetTablesCommand({ DatabaseName: "clean_rooms_analytics" }))).TableList).toEqual([]);
  });

  it("fails a crawl whose files are not what they claim, without leaking server paths", async () => {
    await s3A.send(new PutObjectCommand({ Bucket: "org-a-lake", Key: "broken/bad.parquet", Body: "this is not parquet" }));
    await glueA.send(
      new CreateCrawlerCommand({
        Name: "broken",
        Role: "arn:aws:iam::111111111111:role/GlueRole",
        DatabaseName: "clean_rooms_analytics",
        Targets: { S3Targets: [{ Path: "s3://org-a-lake/broken/" }] },
      }),
    );
    const crawler = await crawlToEnd(glueA, "broken");
    expect(crawler.LastCrawl?.Status).toBe("FAILED");
    expect(crawler.LastCrawl?.ErrorMessage).not.toContain(cloud.dataDir);
  });
});
