import { safePattern, type SafePattern } from "../../patterns";
import { log } from "@/server/log";
import { blobPath, blobRoot } from "../s3/blobs";
import { findBucket, objectsUnder } from "../s3/store";
import { formatOf, inferColumns, serdeFor, tableParametersFor, type DatasetFormat } from "./infer-schema";
import * as store from "./store";

// A crawl: read the crawler's S3 targets, group objects into datasets (one per folder), infer each
// dataset's schema with DuckDB, and create or update one table per dataset. A dataset whose files
// all sit in Hive-style folders with the same keys (`year=2024/region=eu/…`) makes one
// partitioned table: the keys are its PartitionKeys and each folder is a partition.

class CrawlFailure extends Error {}

interface Dataset {
  table: string;
  location: string;
  format: DatasetFormat;
  files: string[];
  /** The Hive partition keys every file's folders name, in order; null once files disagree. */
  partitionKeys: string[] | null | undefined;
  partitions: Map<string, { values: string[]; location: string }>;
}

const hiveFolder = /^([^=/]+)=([^/]*)$/;
const decodeValue = (value: string) => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

/** Records a file's partition folders in its dataset; files that break the pattern unpartition it. */
function notePartition(dataset: Dataset, folders: string[]): void {
  if (dataset.partitionKeys === null) return;
  const pairs = folders.map((f) => hiveFolder.exec(f));
  const keys = pairs.map((p) => p?.[1] ?? "");
  if (!folders.length || pairs.some((p) => !p) || (dataset.partitionKeys !== undefined && keys.join("/") !== dataset.partitionKeys.join("/"))) {
    dataset.partitionKeys = null;
    return;
  }
  dataset.partitionKeys = keys;
  const values = pairs.map((p) => decodeValue(p![2]!));
  dataset.partitions.set(store.partitionKey(values), { values, location: `${dataset.location}${folders.join("/")}/` });
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

async function datasetsOf(accountId: string, target: { Path: string; Exclusions?: string[] }, tablePrefix: string): Promise<Dataset[]> {
  const { bucket, prefix } = parseS3Path(target.Path);
  const found = await findBucket(bucket);
  // A crawler reads only its own account's buckets.
  if (!found || found.accountId !== accountId) throw new CrawlFailure(`Access denied to s3://${bucket}: the bucket does not exist or belongs to another account.`);
  const exclusions = (target.Exclusions ?? []).map(globToRegExp);
  const groups = new Map<string, Dataset>();
  const rootName = prefix.split("/").filter(Boolean).at(-1) ?? bucket;
  for await (const object of objectsUnder(bucket, prefix)) {
    const relative = object.key.slice(prefix.length);
    const file = relative.split("/").at(-1)!;
    if (!file || file.startsWith("_") || file.startsWith(".") || exclusions.some((pattern) => pattern.matches(relative))) continue;
    const format = formatOf(file);
    if (!format) continue;
    const folders = relative.split("/").slice(0, -1);
    // A target whose own folders are partitions (`sales/year=2024/…`) is one table, named for the target.
    const folder = folders.length && !hiveFolder.test(folders[0]!) ? folders[0]! : null;
    const table = tableName(folder ?? rootName, tablePrefix);
    const location = `s3://${bucket}/${prefix}${folder ? `${folder}/` : ""}`;
    const group: Dataset = groups.get(table) ?? { table, location, format, files: [], partitionKeys: undefined, partitions: new Map() };
    if (group.format !== format) throw new CrawlFailure(`The folder ${location} mixes CSV and Parquet files; a table needs one format.`);
    group.files.push(blobPath(object.blob));
    notePartition(group, folder ? folders.slice(1) : folders);
    groups.set(table, group);
  }
  return [...groups.values()];
}

async function writeTable(catalog: store.Catalog, databaseName: string, dataset: Dataset, updateBehavior: string) {
  const keys = dataset.partitionKeys ?? [];
  // Hive files do not hold their partition columns; a file column named like a key yields to it.
  const columns = (await inferColumns(dataset.format, dataset.files)).filter((c) => !keys.some((k) => k.toLowerCase() === c.Name.toLowerCase()));
  const input = {
    Name: dataset.table,
    Owner: "owner",
    Retention: 0,
    TableType: "EXTERNAL_TABLE",
    PartitionKeys: keys.map((Name) => ({ Name: Name.toLowerCase(), Type: "string" })),
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
  const existing = await store.findTable(catalog, databaseName, dataset.table);
  if (!existing) {
    await store.insertTable({ ...catalog, databaseName, name: dataset.table, input, createdBy: "local-cloud-crawler" });
  } else if (updateBehavior !== "LOG") {
    await store.updateTableInput(catalog, databaseName, dataset.table, { ...existing.input, ...input });
  } else return;
  if (dataset.partitionKeys)
    for (const partition of dataset.partitions.values()) {
      const storage = { ...input.StorageDescriptor, Location: partition.location };
      await store.putPartition({ ...catalog, databaseName, tableName: dataset.table, values: partition.values, input: { Values: partition.values, StorageDescriptor: storage, Parameters: {} } }, true);
    }
}

/** Runs one crawl to its end and records how it ended; never throws. */
export async function runCrawl(catalog: store.Catalog, name: string): Promise<void> {
  const started = Date.now();
  const finish = async (status: "SUCCEEDED" | "FAILED" | "CANCELLED", errorMessage?: string) => {
    await store.transitionCrawler(catalog, name, ["RUNNING", "STOPPING"], { state: "STOPPING" });
    await store.transitionCrawler(catalog, name, ["STOPPING"], {
      state: "READY",
      stopRequested: 0,
      crawlElapsedMs: Date.now() - started,
      lastCrawl: { Status: status, StartTime: new Date(started).toISOString(), ...(errorMessage ? { ErrorMessage: errorMessage } : {}) },
    });
  };
  try {
    const crawler = await store.findCrawler(catalog, name);
    if (!crawler) return;
    const input = crawler.input as {
      DatabaseName?: string;
      TablePrefix?: string;
      Targets: { S3Targets?: { Path: string; Exclusions?: string[] }[] };
      SchemaChangePolicy?: { UpdateBehavior?: string };
    };
    const databaseName = input.DatabaseName?.toLowerCase();
    if (!databaseName || !(await store.findDatabase(catalog, databaseName))) {
      throw new CrawlFailure(`Database ${input.DatabaseName ?? "(none)"} not found; create it before running the crawler.`);
    }
    for (const target of input.Targets.S3Targets ?? []) {
      for (const dataset of await datasetsOf(catalog.accountId, target, input.TablePrefix ?? "")) {
        const current = await store.findCrawler(catalog, name);
        if (!current || current.stopRequested) return await finish("CANCELLED");
        await writeTable(catalog, databaseName, dataset, input.SchemaChangePolicy?.UpdateBehavior ?? "UPDATE_IN_DATABASE");
      }
    }
    await finish("SUCCEEDED");
  } catch (error) {
    // DuckDB's messages name the object files; say "storage" instead of the server's paths.
    const message = error instanceof CrawlFailure ? error.message : `The crawl failed: ${(error as Error).message.split("\n")[0]!.replaceAll(blobRoot(), "<storage>")}`;
    if (!(error instanceof CrawlFailure)) log("warn", "crawl failed", { ...catalog, crawler: name, error });
    await finish("FAILED", message).catch(() => {});
  }
}
