import fs from "node:fs";
import path from "node:path";
import { createHash, randomBytes } from "node:crypto";
import { DuckDBInstance } from "@duckdb/node-api";
import { dataDir } from "@/server/config";

// CSV objects are converted once to Parquet and queries read the Parquet copy: DuckDB scans
// Parquet about twice as fast (see docs/benchmarks.md). A copy is keyed by the object's blob id,
// which changes whenever the object does, so a copy is never stale, and by the column types the
// Glue table declares: the copy holds each value as that type says (a string column keeps "0137"
// and "137" apart, as stored), never as DuckDB's own guess. The sandbox reads only these copies,
// never anything else of the data directory.

const holder = globalThis as typeof globalThis & { __columnarCache?: Map<string, Promise<string>> };
const inFlight = () => (holder.__columnarCache ??= new Map());

function cacheDir(): string {
  return path.join(dataDir(), "local-cloud", "columnar-cache");
}

export interface DeclaredColumn {
  name: string;
  duckdbType: string;
}

export function parquetCopyOf(blob: string, csvFile: string, columns: DeclaredColumn[]): Promise<string> {
  const types = createHash("sha256")
    .update(JSON.stringify(columns.map((c) => [c.name.toLowerCase(), c.duckdbType])))
    .digest("hex")
    .slice(0, 16);
  const target = path.join(cacheDir(), `${blob}.${types}.parquet`);
  if (fs.existsSync(target)) return Promise.resolve(target);
  const pending = inFlight().get(target);
  if (pending) return pending;
  const work = convert(csvFile, target, columns).finally(() => inFlight().delete(target));
  inFlight().set(target, work);
  return work;
}

async function convert(csvFile: string, target: string, columns: DeclaredColumn[]): Promise<string> {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temp = `${target}.${randomBytes(6).toString("hex")}.tmp`;
  const instance = await DuckDBInstance.create(":memory:", { threads: "2", autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
  const connection = await instance.connect();
  const quote = (p: string) => `'${p.replace(/'/g, "''")}'`;
  try {
    // Declared columns are read as declared, matched by header name whatever its letter case.
    const header = (await connection.runAndReadAll(`SELECT * FROM read_csv(${quote(csvFile)}, header = true, all_varchar = true) LIMIT 0`)).columnNames();
    const declared = new Map(columns.map((c) => [c.name.toLowerCase(), c.duckdbType]));
    const types = header.filter((name) => declared.has(name.toLowerCase())).map((name) => `${quote(name)}: ${quote(declared.get(name.toLowerCase())!)}`);
    await connection.run(`COPY (SELECT * FROM read_csv(${quote(csvFile)}, header = true${types.length ? `, types = {${types.join(", ")}}` : ""})) TO ${quote(temp)} (FORMAT parquet)`);
    fs.renameSync(temp, target);
    return target;
  } finally {
    fs.rmSync(temp, { force: true });
    connection.closeSync();
    instance.closeSync();
  }
}

/** Removes copies whose object is gone (called at start); reads the live blobs only if needed. */
export async function sweepColumnarCache(liveBlobs: () => Promise<Set<string>>): Promise<void> {
  const names = fs.existsSync(cacheDir()) ? fs.readdirSync(cacheDir()) : [];
  if (!names.length) return;
  const live = await liveBlobs();
  for (const name of names) {
    if (name.endsWith(".tmp") || !live.has(name.split(".")[0]!)) fs.rmSync(path.join(cacheDir(), name), { force: true });
  }
}
