import type { SandboxTable } from "@/server/engine/exec/sandbox";
import { duckdbType, type CatalogTable } from "@/server/engine/sql/catalog";
import { partitionKeysOf } from "../../glue/partitions";
import { listPartitions, type Catalog } from "../../glue/store";
import { glueCatalogOf } from "../configured-tables";
import { blobPath } from "../../s3/blobs";
import { findBucket, objectsUnder } from "../../s3/store";
import { parquetCopyOf } from "./columnar-cache";
import type { CatalogSource } from "./catalog";

// Where a table's rows are: the Glue table's S3 location (or, for a partitioned table, its
// registered partitions' locations), in the owner's own bucket, read as the Glue table says (CSV
// with a header, or Parquet), typed by the Glue schema. CSV objects are read through their
// columnar (Parquet) copies.

export class DataUnavailable extends Error {}

/** The data files under an S3 location of the owner (`s3://bucket/prefix/`), skipping empty and hidden ones. */
async function filesAt(location: string, owner: string, tableName: string): Promise<{ blob: string; path: string }[]> {
  const match = location.match(/^s3a?:\/\/([^/]+)\/?(.*)$/);
  if (!match) throw new DataUnavailable(`The Glue table behind "${tableName}" has no S3 location.`);
  const [, bucketName, rawPrefix] = match as unknown as [string, string, string];
  const bucket = await findBucket(bucketName);
  if (!bucket || bucket.accountId !== owner) throw new DataUnavailable(`The data of "${tableName}" is not in a bucket of its owner.`);
  const prefix = rawPrefix && !rawPrefix.endsWith("/") && !/\.\w+$/.test(rawPrefix) ? `${rawPrefix}/` : rawPrefix;
  const files: { blob: string; path: string }[] = [];
  for await (const row of objectsUnder(bucketName, prefix)) {
    const name = row.key.split("/").at(-1)!;
    if (!name || name.startsWith("_") || name.startsWith(".") || row.size === 0) continue;
    files.push({ blob: row.blob, path: blobPath(row.blob) });
  }
  return files;
}

/** The registered partitions of a Glue table, each with its location (Athena reads only these). */
async function partitionsOf(catalog: Catalog, databaseName: string, tableName: string) {
  const partitions: { values: string[]; location: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const rows = await listPartitions(catalog, databaseName, tableName, after, 500);
    for (const row of rows) {
      const location = (row.input as { StorageDescriptor?: { Location?: string } }).StorageDescriptor?.Location;
      if (location) partitions.push({ values: row.values, location });
    }
    if (rows.length < 500) return partitions;
    after = rows.at(-1)!.valuesKey;
  }
}

export async function sandboxTable(table: CatalogTable, source: CatalogSource): Promise<SandboxTable> {
  const owner = source.configuredTable.accountId;
  // The Glue table the catalog was built from: the schema the validator checked is the one read.
  const glueTable = source.glueTable;
  if (!glueTable) throw new DataUnavailable(`The Glue table behind "${table.name}" no longer exists.`);
  const input = glueTable.input as { Parameters?: Record<string, string>; StorageDescriptor?: { Location?: string; SerdeInfo?: { SerializationLibrary?: string } } };
  const parquet = (input.Parameters?.classification ?? "").toLowerCase() === "parquet" || /parquet/i.test(input.StorageDescriptor?.SerdeInfo?.SerializationLibrary ?? "");
  const keys = partitionKeysOf(glueTable.input).map((k) => k.Name.toLowerCase());
  const columns = table.columns.map((c) => ({ name: c.name, duckdbType: duckdbType(c.type) }));
  // The files hold every column but the partition keys; CSV is read from its columnar copy, made on first use.
  const dataColumns = columns.filter((c) => !keys.includes(c.name.toLowerCase()));
  const readable = async (files: { blob: string; path: string }[]) => (parquet ? files.map((f) => f.path) : Promise.all(files.map((f) => parquetCopyOf(f.blob, f.path, dataColumns))));
  if (!keys.length) {
    const files = await filesAt(input.StorageDescriptor?.Location ?? "", owner, table.name);
    if (!files.length) throw new DataUnavailable(`There are no data files for "${table.name}".`);
    return { name: table.name, format: "parquet", files: await readable(files), columns };
  }
  const partitions = [];
  for (const partition of await partitionsOf(glueCatalogOf(source.configuredTable), glueTable.databaseName, glueTable.name)) {
    const files = await filesAt(partition.location, owner, table.name);
    if (files.length) partitions.push({ values: Object.fromEntries(keys.map((k, i) => [k, partition.values[i] ?? ""])), files: await readable(files) });
  }
  if (!partitions.length) throw new DataUnavailable(`There are no data files in the partitions of "${table.name}".`);
  return { name: table.name, format: "parquet", files: partitions.flatMap((p) => p.files), columns, partitions };
}
