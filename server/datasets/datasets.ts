import "server-only";
import type { Readable } from "node:stream";
import { z } from "zod";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  type BucketLocationConstraint,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { CreateCrawlerCommand, CreateDatabaseCommand, DeleteCrawlerCommand, DeleteTableCommand, GetCrawlerCommand, GetTableCommand, StartCrawlerCommand } from "@aws-sdk/client-glue";
import { GetConfiguredTableCommand, ListConfiguredTablesCommand } from "@aws-sdk/client-cleanrooms";
import { AppError } from "@/lib/errors";
import { roleNames } from "@/lib/iam-policies";
import { awsClientsFor, type AwsClients, type AwsPrincipal } from "@/server/aws/clients";
import { appErrorOf, awsCall, isAwsError } from "@/server/aws/errors";
import { datasetCheck, formatOf } from "./file-check";
import { parseCsvRows } from "./csv";
import { PARQUET_PREVIEW_MAX_BYTES, parquetPreview } from "./parquet-preview";
import type { Dataset } from "@/lib/datasets";

// A dataset is one file in the organization's data bucket, under datasets/<name>/, catalogued by a
// Glue crawler of its own into the organization's `cleanrooms_datasets` database as the table
// <name>. Everything goes through the organization's own AWS clients, so one organization's
// datasets, previews and catalogue are out of another's reach by the same rules as on AWS.

export const DATABASE = "cleanrooms_datasets";
export const datasetName = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, "Use 1 to 63 lower-case letters, digits or underscores, starting with a letter.");

function nameOf(value: string): string {
  const parsed = datasetName.safeParse(value);
  if (parsed.success) return parsed.data;
  const message = `"${value}" cannot name a dataset. ${parsed.error.issues[0]!.message}`;
  throw new AppError("invalid", message, { name: [message] });
}

/** The bucket each organization's datasets live in: one per account, made on first upload. */
export const dataBucketOf = (accountId: string) => `cleanrooms-data-${accountId}`;
const folderOf = (name: string) => `datasets/${name}/`;
const crawlerOf = (name: string) => `cleanrooms-dataset-${name}`;

/** How large a dataset file may be (DATASET_MAX_BYTES, 5 GiB unless set). */
export const maxDatasetBytes = () => Number(process.env.DATASET_MAX_BYTES || 5 * 1024 ** 3);

/** Creates a bucket as the recipe does (versioning, default encryption) unless it exists. */
export async function ensureBucket(clients: AwsClients, bucket: string): Promise<void> {
  const exists = await clients.s3.send(new HeadBucketCommand({ Bucket: bucket })).then(
    () => true,
    (error: unknown) => {
      if (isAwsError(error, "NotFound", "NoSuchBucket")) return false;
      throw error;
    },
  );
  if (exists) return;
  await awsCall("Creating your organization's bucket", async () => {
    const location = clients.region === "us-east-1" ? undefined : { LocationConstraint: clients.region as BucketLocationConstraint };
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: location })).catch((error: unknown) => {
      if (!isAwsError(error, "BucketAlreadyOwnedByYou")) throw error; // made by a concurrent upload
    });
    await clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await clients.s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] } }));
  });
}

async function ensureCatalog(clients: AwsClients, name: string, bucket: string): Promise<void> {
  await awsCall("Preparing the catalogue", async () => {
    await clients.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE, Description: "Datasets uploaded through the console" } })).catch((error: unknown) => {
      if (!isAwsError(error, "AlreadyExistsException")) throw error;
    });
    await clients.glue
      .send(
        new CreateCrawlerCommand({
          Name: crawlerOf(name),
          Role: `arn:aws:iam::${clients.accountId}:role/${roleNames.crawler}`,
          DatabaseName: DATABASE,
          Targets: { S3Targets: [{ Path: `s3://${bucket}/${folderOf(name)}` }] },
          SchemaChangePolicy: { UpdateBehavior: "UPDATE_IN_DATABASE", DeleteBehavior: "LOG" },
        }),
      )
      .catch((error: unknown) => {
        if (!isAwsError(error, "AlreadyExistsException")) throw error;
      });
  });
}

/** Starts the dataset's crawl; one already running is left to finish (it reads the folder as it is now). */
export async function crawlDataset(principal: AwsPrincipal, name: string): Promise<void> {
  const clients = await awsClientsFor(principal);
  await awsCall("Starting the crawl", () =>
    clients.glue.send(new StartCrawlerCommand({ Name: crawlerOf(name) })).catch((error: unknown) => {
      if (!isAwsError(error, "CrawlerRunningException")) throw error;
    }),
  );
}

/** A safe object name for an uploaded file: its base name, without path or control characters. */
const objectName = (filename: string) =>
  (filename.split(/[\\/]/).at(-1) ?? "")
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .trim()
    .slice(0, 200) || "data";

export interface UploadResult {
  name: string;
  bytes: number;
  rows: number;
  columns: string[];
}

/**
 * Streams a file into the dataset's folder through a multipart upload (bounded memory: a few
 * parts in flight), checking it on the way. A bad file aborts the upload, so nothing of it is
 * kept; a good one replaces the dataset's previous file and starts a crawl.
 */
export async function uploadDataset(principal: AwsPrincipal, input: { name: string; filename: string; body: Readable; signal?: AbortSignal }): Promise<UploadResult> {
  const name = nameOf(input.name);
  const format = formatOf(input.filename);
  const clients = await awsClientsFor(principal);
  const bucket = dataBucketOf(clients.accountId);
  await ensureBucket(clients, bucket);
  const key = `${folderOf(name)}${objectName(input.filename)}`;
  const check = datasetCheck(format, maxDatasetBytes());
  input.body.on("error", (error) => check.destroy(error));
  input.body.pipe(check);
  const upload = new Upload({
    client: clients.s3,
    params: { Bucket: bucket, Key: key, Body: check, ContentType: format === "csv" ? "text/csv" : "application/vnd.apache.parquet" },
    partSize: 8 * 1024 * 1024,
    queueSize: 2,
    leavePartsOnError: false,
  });
  input.signal?.addEventListener("abort", () => void upload.abort());
  try {
    await upload.done();
  } catch (error) {
    if (error instanceof AppError) throw error;
    if (input.signal?.aborted) throw new AppError("invalid", "The upload was cancelled; nothing was kept.");
    if (check.errored instanceof AppError) throw check.errored;
    throw appErrorOf(error, {}, "Uploading the file");
  }
  // The folder now holds the new file; earlier files of the dataset (other names) leave it.
  const listed = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folderOf(name) }));
  const stale = (listed.Contents ?? []).filter((o) => o.Key !== key).map((o) => ({ Key: o.Key! }));
  if (stale.length) await clients.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: stale, Quiet: true } }));
  await ensureCatalog(clients, name, bucket);
  await crawlDataset(principal, name);
  return { name, ...check.summary() };
}

async function describe(clients: AwsClients, bucket: string, name: string): Promise<Dataset> {
  const [objects, crawler, table] = await Promise.all([
    clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: folderOf(name) })),
    clients.glue.send(new GetCrawlerCommand({ Name: crawlerOf(name) })).then(
      (r) => r.Crawler,
      (error: unknown) => (isAwsError(error, "EntityNotFoundException") ? undefined : Promise.reject(error)),
    ),
    clients.glue.send(new GetTableCommand({ DatabaseName: DATABASE, Name: name })).then(
      (r) => r.Table,
      (error: unknown) => (isAwsError(error, "EntityNotFoundException") ? undefined : Promise.reject(error)),
    ),
  ]);
  const file = objects.Contents?.[0];
  return {
    name,
    file: file ? { key: file.Key!, size: file.Size ?? 0, lastModified: (file.LastModified ?? new Date()).toISOString() } : null,
    crawl: { state: crawler?.State ?? "NONE", lastStatus: crawler?.LastCrawl?.Status ?? null, lastError: crawler?.LastCrawl?.ErrorMessage ?? null },
    columns: [...(table?.StorageDescriptor?.Columns ?? []), ...(table?.PartitionKeys ?? [])].map((c) => ({ name: c.Name!, type: c.Type ?? "string" })),
  };
}

/** The organization's datasets, by name, with their file, crawl state and catalogued columns. */
export async function listDatasets(principal: AwsPrincipal): Promise<Dataset[]> {
  const clients = await awsClientsFor(principal);
  const bucket = dataBucketOf(clients.accountId);
  return awsCall("Listing your datasets", async () => {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "datasets/", Delimiter: "/", ContinuationToken: token })).catch((error: unknown) => {
        if (isAwsError(error, "NoSuchBucket")) return null; // nothing uploaded yet
        throw error;
      });
      if (!page) return [];
      names.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!.slice("datasets/".length, -1)));
      token = page.NextContinuationToken;
    } while (token);
    return Promise.all(names.map((name) => describe(clients, bucket, name)));
  });
}

export async function getDataset(principal: AwsPrincipal, name: string): Promise<Dataset | null> {
  const found = datasetName.safeParse(name);
  if (!found.success) return null;
  const clients = await awsClientsFor(principal);
  const bucket = dataBucketOf(clients.accountId);
  const dataset = await awsCall("Reading the dataset", () => describe(clients, bucket, found.data)).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "not_found") return null;
    throw error;
  });
  return dataset?.file ? dataset : null;
}

/**
 * The first rows of a dataset: of a CSV, read from the start of its file (never the whole file);
 * of a Parquet file up to PARQUET_PREVIEW_MAX_BYTES, read with DuckDB from a temporary copy.
 */
export async function previewDataset(principal: AwsPrincipal, name: string, rows = 20): Promise<{ columns: string[]; rows: string[][] } | null> {
  const dataset = await getDataset(principal, name);
  if (!dataset?.file) return null;
  const clients = await awsClientsFor(principal);
  if (dataset.file.key.toLowerCase().endsWith(".parquet")) {
    if (dataset.file.size > PARQUET_PREVIEW_MAX_BYTES) return null;
    const object = await awsCall("Reading the preview", () => clients.s3.send(new GetObjectCommand({ Bucket: dataBucketOf(clients.accountId), Key: dataset.file!.key })));
    return parquetPreview(object.Body as Readable, rows).catch(() => null);
  }
  const object = await awsCall("Reading the preview", () => clients.s3.send(new GetObjectCommand({ Bucket: dataBucketOf(clients.accountId), Key: dataset.file!.key, Range: "bytes=0-262143" })));
  const parsed = parseCsvRows(await object.Body!.transformToString("utf8"), rows + 1, dataset.file.size > 262144);
  return { columns: parsed[0] ?? [], rows: parsed.slice(1) };
}

/** Configured tables of the organization that read the dataset's Glue table. */
async function usersOf(clients: AwsClients, name: string): Promise<string[]> {
  const using: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.cleanrooms.send(new ListConfiguredTablesCommand({ nextToken }));
    for (const summary of page.configuredTableSummaries ?? []) {
      const { configuredTable } = await clients.cleanrooms.send(new GetConfiguredTableCommand({ configuredTableIdentifier: summary.id! }));
      const glue = configuredTable?.tableReference && "glue" in configuredTable.tableReference ? configuredTable.tableReference.glue : undefined;
      if (glue?.databaseName === DATABASE && glue.tableName === name) using.push(summary.name!);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return using;
}

/**
 * Deletes a dataset for good: every version of its file, its catalogue table and its crawler.
 * Refused, with the reason, while a configured table reads it.
 */
export async function deleteDataset(principal: AwsPrincipal, name: string): Promise<void> {
  const parsed = nameOf(name);
  const clients = await awsClientsFor(principal);
  const bucket = dataBucketOf(clients.accountId);
  const using = await awsCall("Checking what uses the dataset", () => usersOf(clients, parsed));
  if (using.length) {
    throw new AppError(
      "conflict",
      `"${parsed}" cannot be deleted while the configured table${using.length > 1 ? "s" : ""} ${using.join(", ")} ${using.length > 1 ? "use" : "uses"} it. Delete ${using.length > 1 ? "them" : "it"} first.`,
    );
  }
  await awsCall("Deleting the dataset", async () => {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: folderOf(parsed), KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
      const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({ Key: v.Key!, VersionId: v.VersionId }));
      if (versions.length) await clients.s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: versions, Quiet: true } }));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    await clients.glue.send(new DeleteTableCommand({ DatabaseName: DATABASE, Name: parsed })).catch((error: unknown) => {
      if (!isAwsError(error, "EntityNotFoundException")) throw error;
    });
    await clients.glue.send(new DeleteCrawlerCommand({ Name: crawlerOf(parsed) })).catch((error: unknown) => {
      if (!isAwsError(error, "EntityNotFoundException", "CrawlerRunningException")) throw error;
    });
  });
}

/** Waits until a dataset's crawl has catalogued its columns; false if it has not within `timeoutMs`. */
export async function untilCatalogued(principal: AwsPrincipal, name: string, timeoutMs = 60_000): Promise<boolean> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    if ((await getDataset(principal, name))?.columns.length) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
