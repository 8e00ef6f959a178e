import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { DuckDBInstance } from "@duckdb/node-api";
import { CreateConfiguredTableCommand, DeleteConfiguredTableCommand } from "@aws-sdk/client-cleanrooms";
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { GetTableCommand } from "@aws-sdk/client-glue";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { awsClientsFor, type AwsPrincipal } from "@/server/aws/clients";
import { DATABASE, dataBucketOf, deleteDataset, getDataset, listDatasets, previewDataset, uploadDataset } from "./datasets";

// Datasets through the console's own clients against a real local cloud: uploads stream through
// the check into the organization's bucket, crawls catalogue them, and nothing crosses organizations.
let cloud: TestCloud;
let orgA: AwsPrincipal;
let orgB: AwsPrincipal;
const sample =
  ["customer_id,age_group,region,purchase_amount", ...Array.from({ length: 50 }, (_, i) => `${i + 1},${["18-24", "25-34", "35-44"][i % 3]},${["north", "south"][i % 2]},${(i * 7.5).toFixed(2)}`)].join(
    "\n",
  ) + "\n";

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

async function crawled(principal: AwsPrincipal, name: string) {
  for (let i = 0; i < 400; i++) {
    const dataset = await getDataset(principal, name);
    if (dataset && dataset.crawl.state === "READY" && dataset.crawl.lastStatus) return dataset;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the crawl did not finish");
}

describe("uploading a dataset", () => {
  it("stores the file in a versioned, encrypted bucket of the organization's own, crawls it and previews it", async () => {
    const result = await uploadDataset(orgA, { name: "customers", filename: "customer_data_org_a.csv", body: Readable.from([Buffer.from(sample)]) });
    expect(result).toEqual({ name: "customers", bytes: Buffer.byteLength(sample), rows: 50, columns: ["customer_id", "age_group", "region", "purchase_amount"] });
    const dataset = await crawled(orgA, "customers");
    expect(dataset.crawl.lastStatus).toBe("SUCCEEDED");
    expect(dataset.columns.map((c) => c.name)).toEqual(["customer_id", "age_group", "region", "purchase_amount"]);
    expect(dataset.file).toMatchObject({ key: "datasets/customers/customer_data_org_a.csv", size: Buffer.byteLength(sample) });

    const preview = await previewDataset(orgA, "customers");
    expect(preview?.columns).toEqual(["customer_id", "age_group", "region", "purchase_amount"]);
    expect(preview?.rows).toHaveLength(20);
    expect(preview?.rows[0]).toEqual(["1", "18-24", "north", "0.00"]);
  });

  it("replaces the file of a dataset and crawls it again", async () => {
    await uploadDataset(orgA, { name: "customers", filename: "renamed.csv", body: Readable.from([Buffer.from("customer_id,segment\n1,a\n")]) });
    const dataset = await crawled(orgA, "customers");
    expect(dataset.file?.key).toBe("datasets/customers/renamed.csv");
    expect(dataset.columns.map((c) => c.name)).toEqual(["customer_id", "segment"]);
  });

  it("keeps nothing of a bad file: no object, no catalogue table", async () => {
    const bad = uploadDataset(orgA, { name: "ragged", filename: "ragged.csv", body: Readable.from([Buffer.from("a,b\n1,2\n"), Buffer.from("3\n")]) });
    await expect(bad).rejects.toThrow("Row 3 has 1 field where the header has 2.");
    const clients = await awsClientsFor(orgA);
    const versions = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: dataBucketOf(orgA.awsAccountId), Prefix: "datasets/ragged/" }));
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
    expect(await clients.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: "ragged" })).catch((e: Error) => e.name)).toBe("EntityNotFoundException");
    expect((await listDatasets(orgA)).map((d) => d.name)).toEqual(["customers"]);
    await expect(uploadDataset(orgA, { name: "sheet", filename: "data.xlsx", body: Readable.from([Buffer.from("x")]) })).rejects.toThrow("is not a CSV or Parquet file");
    await expect(uploadDataset(orgA, { name: "Bad Name", filename: "x.csv", body: Readable.from([Buffer.from("a\n1\n")]) })).rejects.toThrow();
  });
});

describe("a Parquet dataset", () => {
  it("is catalogued and previewed with DuckDB", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "parquet-"));
    const file = path.join(dir, "events.parquet");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT i AS event_id, 'kind ' || (i % 3) AS kind FROM range(1, 51) t(i)) TO '${file}' (FORMAT parquet)`);
    connection.closeSync();
    instance.closeSync();
    await uploadDataset(orgA, { name: "events", filename: "events.parquet", body: fs.createReadStream(file) });
    const dataset = await crawled(orgA, "events");
    expect(dataset.columns).toEqual([
      { name: "event_id", type: "bigint" },
      { name: "kind", type: "string" },
    ]);
    const preview = await previewDataset(orgA, "events");
    expect(preview?.columns).toEqual(["event_id", "kind"]);
    expect(preview?.rows.slice(0, 2)).toEqual([
      ["1", "kind 1"],
      ["2", "kind 2"],
    ]);
    expect(preview?.rows).toHaveLength(20);
    await deleteDataset(orgA, "events");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("another organization", () => {
  it("sees none of org-a's datasets, previews or files", async () => {
    expect(await listDatasets(orgB)).toEqual([]);
    expect(await getDataset(orgB, "customers")).toBeNull();
    expect(await previewDataset(orgB, "customers")).toBeNull();
    await expect(deleteDataset(orgB, "customers")).rejects.toThrow();
    expect(await getDataset(orgA, "customers")).not.toBeNull();
  });
});

describe("deleting a dataset", () => {
  it("is refused while a configured table uses it, then removes every version, the table and the crawler", async () => {
    const clients = await awsClientsFor(orgA);
    const { configuredTable } = await clients.cleanrooms.send(
      new CreateConfiguredTableCommand({
        name: "customers_ct",
        tableReference: { glue: { databaseName: DATABASE, tableName: "customers" } },
        allowedColumns: ["customer_id"],
        analysisMethod: "DIRECT_QUERY",
      }),
    );
    await expect(deleteDataset(orgA, "customers")).rejects.toThrow('"customers" cannot be deleted while the configured table customers_ct uses it. Delete it first.');
    await clients.cleanrooms.send(new DeleteConfiguredTableCommand({ configuredTableIdentifier: configuredTable!.id! }));
    await deleteDataset(orgA, "customers");
    const versions = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: dataBucketOf(orgA.awsAccountId), Prefix: "datasets/customers/" }));
    expect([...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])]).toEqual([]);
    expect(await getDataset(orgA, "customers")).toBeNull();
    expect(await listDatasets(orgA)).toEqual([]);
  });
});
