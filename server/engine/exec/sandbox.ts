import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent } from "../sql/tree";
import { SandboxFailure, type SandboxStage } from "./failure";

// One protected query in a DuckDB of its own: in memory, with views over only the columns the
// query may use of the tables it reads; then file access is cut to those files and the result
// directory, configuration is locked, and memory, threads and time are limited. The SQL it runs
// has already been validated; the sandbox is the second wall, not the first.

export interface SandboxTable {
  name: string;
  format: "csv" | "parquet";
  files: string[];
  columns: { name: string; duckdbType: string }[];
  /**
   * A partitioned table's files by partition, with the values of its partition columns (which the
   * files do not hold); `files` then lists them all, for the sandbox's file allow-list.
   */
  partitions?: { values: Record<string, string>; files: string[] }[];
}

export interface SandboxRun {
  sql: string;
  /** Values bound to named parameters ($name), never spliced into the SQL text. */
  values?: Record<string, string | number | boolean>;
  tables: SandboxTable[];
  resultFormat: "CSV" | "PARQUET";
  outDir: string;
  threads: number;
  memoryLimit: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface SandboxResult {
  file: string;
  rows: number;
}

export class SandboxStopped extends Error {
  constructor(readonly reason: "timeout" | "cancelled") {
    super(reason === "timeout" ? "The query ran out of time." : "The query was cancelled.");
  }
}

const literal = (value: string) => `'${value.replace(/'/g, "''")}'`;
const list = (values: string[]) => `[${values.map(literal).join(", ")}]`;

function readFiles(format: SandboxTable["format"], files: string[]): string {
  // union_by_name lines up files whose columns differ in order; one file needs no lining up.
  const union = files.length > 1 ? ", union_by_name = true" : "";
  return format === "csv" ? `read_csv(${list(files)}, header = true${union})` : `read_parquet(${list(files)}${union})`;
}

function viewSql(table: SandboxTable): string {
  const columns = table.columns.map((c) => `CAST(${quoteIdent(c.name)} AS ${c.duckdbType}) AS ${quoteIdent(c.name)}`).join(", ");
  // Each partition's files, with its values as literal columns, stacked by column name.
  const source = table.partitions
    ? `(${table.partitions
        .map(
          (p) =>
            `SELECT *, ${Object.entries(p.values)
              .map(([name, value]) => `${literal(value)} AS ${quoteIdent(name)}`)
              .join(", ")} FROM ${readFiles(table.format, p.files)}`,
        )
        .join(" UNION ALL BY NAME ")})`
    : readFiles(table.format, table.files);
  return `CREATE VIEW ${quoteIdent(table.name)} AS SELECT ${columns} FROM ${source}`;
}

/** An open sandbox: its connection, with the member's tables as views and its configuration locked. */
export interface SandboxSession {
  connection: DuckDBConnection;
  outDir: string;
  /** Names what the sandbox is doing, for the failure message should it fail. */
  stage(stage: SandboxStage): void;
}

export type SandboxSetup = Omit<SandboxRun, "sql" | "values" | "resultFormat">;

/**
 * Opens a sandbox, runs `work` in it and closes it; a timeout or cancel interrupts whatever runs,
 * and any other failure becomes a SandboxFailure naming the stage it happened in.
 */
export async function inSandbox<T>(setup: SandboxSetup, work: (session: SandboxSession) => Promise<T>): Promise<T> {
  fs.mkdirSync(setup.outDir, { recursive: true });
  const instance = await DuckDBInstance.create(":memory:", {
    threads: String(setup.threads),
    memory_limit: setup.memoryLimit,
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  let stopped: SandboxStopped | null = null;
  const stop = (reason: "timeout" | "cancelled") => {
    stopped ??= new SandboxStopped(reason);
    connection.interrupt();
  };
  const timer = setTimeout(() => stop("timeout"), setup.timeoutMs);
  const onAbort = () => stop("cancelled");
  setup.signal?.addEventListener("abort", onAbort);
  let stage: SandboxStage = "reading the data";
  try {
    const files = setup.tables.flatMap((t) => t.files);
    await connection.run(`SET allowed_paths = ${list(files)}`);
    await connection.run(`SET allowed_directories = ${list([setup.outDir + path.sep])}`);
    for (const table of setup.tables) await connection.run(viewSql(table));
    await connection.run("SET enable_external_access = false");
    await connection.run("SET lock_configuration = true");
    if (setup.signal?.aborted) stop("cancelled");
    stage = "running the query";
    return await work({ connection, outDir: setup.outDir, stage: (next) => void (stage = next) });
  } catch (error) {
    if (stopped) throw stopped;
    if (error instanceof SandboxFailure) throw error;
    throw new SandboxFailure(stage, error);
  } finally {
    clearTimeout(timer);
    setup.signal?.removeEventListener("abort", onAbort);
    // Freeing a large query's memory takes a while; the result does not wait for it.
    setImmediate(() => {
      connection.closeSync();
      instance.closeSync();
    });
  }
}

/** Runs the final SELECT and writes its rows to the result file in the sandbox's output directory. */
export async function writeResult(session: SandboxSession, select: string, format: "CSV" | "PARQUET", values?: SandboxRun["values"]): Promise<SandboxResult> {
  await session.connection.run(`CREATE TEMP TABLE __result AS ${select}`, values && Object.keys(values).length ? values : undefined);
  session.stage("writing the result");
  const file = path.join(session.outDir, format === "CSV" ? "result.csv" : "result.parquet");
  await session.connection.run(`COPY __result TO ${literal(file)} ${format === "CSV" ? "(HEADER, DELIMITER ',')" : "(FORMAT parquet)"}`);
  const count = await session.connection.runAndReadAll("SELECT count(*) AS n FROM __result");
  return { file, rows: Number(count.getRowObjectsJS()[0]!.n) };
}

export async function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  return inSandbox(run, (session) => writeResult(session, run.sql, run.resultFormat, run.values));
}
