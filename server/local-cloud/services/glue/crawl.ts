import { safePattern, type SafePattern } from "../../patterns";
import { log } from "@/server/log";
import { blobPath, blobRoot } from "../s3/blobs";
import { findBucket, listObjectRows, type StoredObject } from "../s3/store";
import { formatOf, inferColumns, serdeFor, tableParametersFor, type DatasetFormat } from "./infer-schema";
import * as store from "./store";

// A crawl: read the crawler's S3 targets, group objects into datasets (one per folder), infer each
// dataset's schema with DuckDB, and create or update one table per dataset.

class CrawlFailure extends Error {}

interface Dataset {
  table: string;
  location: string;
  format: DatasetFormat;
  files: string[];
}

function parseS3Path(path: string): { bucket: string; prefix: string } {
  const m = path.match(/^s3a?:\/\/([^/]+)\/?(.*)$/);
  if (!m) throw new CrawlFailure(`The S3 target "${path}" is not an s3:// path.`);
  const prefix = m[2]!;
  return { bucket: m[1]!, prefix: prefix && !prefix.endsWith("/") ? `${prefix}/` : prefix };
}

function tableName(raw: string, prefix: string): string {
  return (prefix + raw).toLowerCase().replace(/[^a-z0-9_]+/g, "_");
}

function globToRegExp(glob: string): SafePattern {
  const escaped = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*\*/g, "\u0000")
    .replace(/\*/g, "[^/]*")
    .replace(/\u0000/g, ".*")
    .replace(/\?/g, "[^/]");
  return safePattern(escaped);
}

async function allObjects(bucket: string, prefix: string): Promise<StoredObject[]> {
  const out: StoredObject[] = [];
  let after: string | null = null;
  for (;;) {
    const rows = await listObjectRows(bucket, prefix, after, 1000);
    out.push(...rows);
    if (rows.length < 1000) return out;
    after = rows.at(-1)!.key;
  }
}

async function datasetsOf(accountId: string, target: { Path: string; Exclusions?: string[] }, tablePrefix: string): Promise<Dataset[]> {
  const { bucket, prefix } = parseS3Path(target.Path);
  const found = await findBucket(bucket);
  // A crawler reads only its own account's buckets.
  if (!found || found.accountId !== accountId) throw new CrawlFailure(`Access denied to s3://${bucket}: the bucket does not exist or belongs to another account.`);
  const exclusions = (target.Exclusions ?? []).map(globToRegExp);
  const groups = new Map<string, Dataset>();
  const rootName = prefix.split("/").filter(Boolean).at(-1) ?? bucket;
  for (const object of await allObjects(bucket, prefix)) {
    const relative = object.key.slice(prefix.length);
    const file = relative.split("/").at(-1)!;
    if (!file || file.startsWith("_") || file.startsWith(".") || exclusions.some((pattern) => pattern.matches(relative))) continue;
    const format = formatOf(file);
    if (!format) continue;
    const folder = relative.includes("/") ? relative.split("/")[0]! : null;
    const table = tableName(folder ?? rootName, tablePrefix);
    const location = `s3://${bucket}/${prefix}${folder ? `${folder}/` : ""}`;
    const group = groups.get(table) ?? { table, location, format, files: [] };
    if (group.format !== format) throw new CrawlFailure(`The folder ${location} mixes CSV and Parquet files; a table needs one format.`);
    group.files.push(blobPath(object.blob));
    groups.set(table, group);
  }
  return [...groups.values()];
}

async function writeTable(accountId: string, databaseName: string, dataset: Dataset, updateBehavior: string) {
  const columns = await inferColumns(dataset.format, dataset.files);
  const input = {
    Name: dataset.table,
    Owner: "owner",
    Retention: 0,
    TableType: "EXTERNAL_TABLE",
    PartitionKeys: [],
    Parameters: { ...tableParametersFor[dataset.format], CrawlerSchemaSerializerVersion: "1.0", CrawlerSchemaDeserializerVersion: "1.0" },
    StorageDescriptor: {
      Columns: columns,
      Location: dataset.location,
      Compressed: false,
      NumberOfBuckets: -1,
      StoredAsSubDirectories: false,
      Parameters: tableParametersFor[dataset.format],
      ...serdeFor[dataset.format],
    },
  };
  const existing = await store.findTable(accountId, databaseName, dataset.table);
  if (!existing) {
    await store.insertTable({ accountId, databaseName, name: dataset.table, input, createdBy: "local-cloud-crawler" });
  } else if (updateBehavior !== "LOG") {
    await store.updateTableInput(accountId, databaseName, dataset.table, { ...existing.input, ...input });
  }
}

/** Runs one crawl to its end and records how it ended; never throws. */
export async function runCrawl(accountId: string, name: string): Promise<void> {
  const started = Date.now();
  const finish = async (status: "SUCCEEDED" | "FAILED" | "CANCELLED", errorMessage?: string) => {
    await store.transitionCrawler(accountId, name, ["RUNNING", "STOPPING"], { state: "STOPPING" });
    await store.transitionCrawler(accountId, name, ["STOPPING"], {
      state: "READY",
      stopRequested: 0,
      crawlElapsedMs: Date.now() - started,
      lastCrawl: { Status: status, StartTime: new Date(started).toISOString(), ...(errorMessage ? { ErrorMessage: errorMessage } : {}) },
    });
  };
  try {
    const crawler = await store.findCrawler(accountId, name);
    if (!crawler) return;
    const input = crawler.input as {
      DatabaseName?: string;
      TablePrefix?: string;
      Targets: { S3Targets?: { Path: string; Exclusions?: string[] }[] };
      SchemaChangePolicy?: { UpdateBehavior?: string };
    };
    const databaseName = input.DatabaseName?.toLowerCase();
    if (!databaseName || !(await store.findDatabase(accountId, databaseName))) {
      throw new CrawlFailure(`Database ${input.DatabaseName ?? "(none)"} not found; create it before running the crawler.`);
    }
    for (const target of input.Targets.S3Targets ?? []) {
      for (const dataset of await datasetsOf(accountId, target, input.TablePrefix ?? "")) {
        const current = await store.findCrawler(accountId, name);
        if (!current || current.stopRequested) return await finish("CANCELLED");
        await writeTable(accountId, databaseName, dataset, input.SchemaChangePolicy?.UpdateBehavior ?? "UPDATE_IN_DATABASE");
      }
    }
    await finish("SUCCEEDED");
  } catch (error) {
    // DuckDB's messages name the object files; say "storage" instead of the server's paths.
    const message = error instanceof CrawlFailure ? error.message : `The crawl failed: ${(error as Error).message.split("\n")[0]!.replaceAll(blobRoot(), "<storage>")}`;
    if (!(error instanceof CrawlFailure)) log("warn", "crawl failed", { accountId, crawler: name, error });
    await finish("FAILED", message).catch(() => {});
  }
}
