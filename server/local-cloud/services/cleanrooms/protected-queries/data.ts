import type { SandboxTable } from "@/server/engine/exec/sandbox";
import { duckdbType, type CatalogTable } from "@/server/engine/sql/catalog";
import { findTable as findGlueTable } from "../../glue/store";
import { blobPath } from "../../s3/blobs";
import { findBucket, listObjectRows } from "../../s3/store";
import { parquetCopyOf } from "./columnar-cache";
import type { CatalogSource } from "./catalog";

// Where a table's rows are: the Glue table's S3 location, in the owner's own bucket, read as the
// Glue table says (CSV with a header, or Parquet), typed by the Glue schema. CSV objects are read
// through their columnar (Parquet) copies.

export class DataUnavailable extends Error {}

export async function sandboxTable(table: CatalogTable, source: CatalogSource): Promise<SandboxTable> {
  const owner = source.configuredTable.accountId;
  const glue = source.configuredTable.body.tableReference.glue;
  const glueTable = await findGlueTable(owner, glue.databaseName.toLowerCase(), glue.tableName.toLowerCase());
  if (!glueTable) throw new DataUnavailable(`The Glue table behind "${table.name}" no longer exists.`);
  const input = glueTable.input as { Parameters?: Record<string, string>; StorageDescriptor?: { Location?: string; SerdeInfo?: { SerializationLibrary?: string } } };
  const location = input.StorageDescriptor?.Location ?? "";
  const match = location.match(/^s3a?:\/\/([^/]+)\/?(.*)$/);
  if (!match) throw new DataUnavailable(`The Glue table behind "${table.name}" has no S3 location.`);
  const [, bucketName, rawPrefix] = match as unknown as [string, string, string];
  const bucket = await findBucket(bucketName);
  if (!bucket || bucket.accountId !== owner) throw new DataUnavailable(`The data of "${table.name}" is not in a bucket of its owner.`);
  const prefix = rawPrefix && !rawPrefix.endsWith("/") && !/\.\w+$/.test(rawPrefix) ? `${rawPrefix}/` : rawPrefix;
  const parquet = (input.Parameters?.classification ?? "").toLowerCase() === "parquet" || /parquet/i.test(input.StorageDescriptor?.SerdeInfo?.SerializationLibrary ?? "");
  const files: { blob: string; path: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const rows = await listObjectRows(bucketName, prefix, after, 1000);
    for (const row of rows) {
      const name = row.key.split("/").at(-1)!;
      if (!name || name.startsWith("_") || name.startsWith(".") || row.size === 0) continue;
      files.push({ blob: row.blob, path: blobPath(row.blob) });
    }
    if (rows.length < 1000) break;
    after = rows.at(-1)!.key;
  }
  if (!files.length) throw new DataUnavailable(`There are no data files for "${table.name}".`);
  const columns = table.columns.map((c) => ({ name: c.name, duckdbType: duckdbType(c.type) }));
  if (parquet) return { name: table.name, format: "parquet", files: files.map((f) => f.path), columns };
  // CSV is read from its columnar copy, made on first use.
  const copies = await Promise.all(files.map((f) => parquetCopyOf(f.blob, f.path, columns)));
  return { name: table.name, format: "parquet", files: copies, columns };
}
