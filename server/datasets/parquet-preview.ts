import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { DuckDBInstance } from "@duckdb/node-api";

// The first rows of a Parquet file, read with DuckDB from a private temporary copy (a Parquet
// file's schema is in its footer, so its start alone cannot be read). The copy is streamed to
// disk, never held in memory, and removed at once.

/** Parquet files up to this size are previewed (larger ones would take long to copy). */
export const PARQUET_PREVIEW_MAX_BYTES = 64 * 1024 * 1024;

const text = (value: unknown) =>
  value === null || value === undefined ? "" : typeof value === "object" ? JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v)) : String(value);

export async function parquetPreview(body: Readable | ReadableStream, limit: number): Promise<{ columns: string[]; rows: string[][] }> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "cleanrooms-preview-"));
  const file = path.join(dir, "data.parquet");
  try {
    await pipeline(body instanceof Readable ? body : Readable.fromWeb(body as import("node:stream/web").ReadableStream), fs.createWriteStream(file, { mode: 0o600 }));
    const instance = await DuckDBInstance.create(":memory:", { threads: "1", memory_limit: "256MB", enable_external_access: "true" });
    const connection = await instance.connect();
    try {
      const reader = await connection.runAndReadAll(`SELECT * FROM read_parquet('${file.replace(/'/g, "''")}') LIMIT ${Math.max(1, Math.floor(limit))}`);
      const columns = reader.columnNames();
      return { columns, rows: reader.getRowsJS().map((row) => row.map(text)) };
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
