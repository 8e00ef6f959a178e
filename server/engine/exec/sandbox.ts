import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent } from "../sql/tree";
import { SandboxFailure, type SandboxStage } from "./failure";
import type { StageClock } from "./stages";

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
  /**
   * Its threads and memory ("512MiB"); or how to get them: a wait for the sandbox's turn on the
   * cores once it is prepared (views made, nothing read yet). The time limit counts from then.
   */
  limits: SandboxLimits | (() => Promise<SandboxLimits>);
  /**
   * Called once the sandbox has its limits, before it reads a row (while its configuration is
   * being locked): the caller's start of the query. Its refusal ends the sandbox there, passed on
   * as it is.
   */
  begin?: () => Promise<void>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Told when the sandbox is being set up and when it runs the query (which writes the result file). */
  clock?: StageClock;
  /** Given the closing of the sandbox, to run once the caller is done (closing blocks this thread). */
  closeLater?: (close: () => void) => void;
  /** How many unused instances to keep made ahead (one for each sandbox that may run at once). */
  spares?: number;
  /**
   * The threads and memory instances made ahead start with (those a query running alone gets), so
   * that a query given them has none to set.
   */
  spareLimits?: SandboxLimits;
}

export interface SandboxLimits {
  threads: number;
  memoryLimit: string;
}

export interface SandboxResult {
  file: string;
  rows: number;
}

class NotAdmitted {
  constructor(readonly reason: unknown) {}
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
}

export type SandboxSetup = Omit<SandboxRun, "sql" | "values" | "resultFormat">;

// Creating a DuckDB instance takes about 20 ms of CPU, so one is made ahead, unused, once the
// previous sandbox has closed (not while a query runs, so as not to take a core from it), with
// the threads and memory a query alone is given (spareLimits). A spare holds no data and has
// read nothing: what makes it a sandbox (the file allow-list, the views, the limits it was not
// made with, the locked configuration) is set on it when it is taken, exactly as on a new one.
interface Instance {
  instance: DuckDBInstance;
  /** Its connection, made with it (a connection holds nothing of its own until it runs something). */
  connection: DuckDBConnection;
  /** What it was made with. */
  limits: SandboxLimits;
  /**
   * An empty directory made with it, beside the output directories of the sandboxes before it:
   * renamed to be its sandbox's output directory (a rename costs microseconds; making a directory
   * costs this kind of machine's file system up to a millisecond of system time).
   */
  dir?: string;
}
const holder = globalThis as typeof globalThis & { __spareSandboxes?: Promise<Instance | null>[] };
const spares = () => (holder.__spareSandboxes ??= []);

const UNSET: SandboxLimits = { threads: 1, memoryLimit: "" };

/** What the directories of instances made ahead are named by, until they are taken. */
const SPARE_DIR_PREFIX = "spare-";

async function createInstance(limits: SandboxLimits = UNSET, dirsIn?: string): Promise<Instance> {
  const memory: Record<string, string> = limits.memoryLimit ? { memory_limit: limits.memoryLimit } : {};
  const instance = await DuckDBInstance.create(":memory:", { threads: String(limits.threads), ...memory, autoinstall_known_extensions: "false", autoload_known_extensions: "false" });
  try {
    const dir = dirsIn && (await fs.promises.mkdtemp(path.join(dirsIn, SPARE_DIR_PREFIX)).catch(() => undefined));
    return { instance, connection: await instance.connect(), limits, ...(dir ? { dir } : {}) };
  } catch (error) {
    instance.closeSync();
    throw error;
  }
}

async function takeInstance(limits?: SandboxLimits): Promise<Instance> {
  return (await spares().shift()) ?? createInstance(limits);
}

function makeSpares(count: number, limits?: SandboxLimits, dirsIn?: string): void {
  while (spares().length < count) spares().push(createInstance(limits, dirsIn).catch(() => null));
}

/**
 * Makes `outDir`: by renaming the directory the instance came with, or else on a thread of the
 * pool. Answers the failure, if any, rather than throwing it.
 */
function makeOutDir(taken: Instance, outDir: string): Promise<{ error: unknown } | null> {
  if (taken.dir) {
    try {
      fs.renameSync(taken.dir, outDir);
      return Promise.resolve(null);
    } catch {
      void fs.promises.rm(taken.dir, { recursive: true, force: true }).catch(() => {});
    }
  }
  return fs.promises.mkdir(outDir, { recursive: true }).then(
    () => null,
    (error: unknown) => ({ error }),
  );
}

const threadsOf = (limits: SandboxLimits) => Math.max(1, Math.floor(limits.threads));

/**
 * Opens a sandbox, runs `work` in it and closes it; a timeout or cancel interrupts whatever runs,
 * and any other failure becomes a SandboxFailure naming the stage it happened in.
 */
export async function inSandbox<T>(setup: SandboxSetup, work: (session: SandboxSession) => Promise<T>): Promise<T> {
  setup.clock?.mark("sandbox");
  // An instance made ahead comes with its connection and the directory to write its result in.
  const taken = await takeInstance(setup.spareLimits);
  const { instance, connection, limits: made } = taken;
  const dirMade = makeOutDir(taken, setup.outDir);
  let stopped: SandboxStopped | null = null;
  const stop = (reason: "timeout" | "cancelled") => {
    stopped ??= new SandboxStopped(reason);
    connection.interrupt();
  };
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => stop("cancelled");
  setup.signal?.addEventListener("abort", onAbort);
  let stage: SandboxStage = "reading the data";
  try {
    const files = setup.tables.flatMap((t) => t.files);
    // The file allow-list, external access cut to it, and the views (DuckDB reads the files'
    // schemas, no rows), in one round trip, on DuckDB's thread while this one waits for the
    // query's turn (and marks it STARTED).
    const viewsMade = connection
      .run([`SET allowed_paths = ${list(files)}`, `SET allowed_directories = ${list([setup.outDir + path.sep])}`, "SET enable_external_access = false", ...setup.tables.map(viewSql)].join(";\n"))
      .then(
        () => null,
        (error: unknown) => ({ error }),
      );
    let limits: SandboxLimits;
    if (typeof setup.limits === "function") {
      setup.clock?.mark("queue");
      try {
        limits = await setup.limits();
      } catch (error) {
        await viewsMade;
        // The caller's own refusal to go on (not a failure of the sandbox): passed on as it is.
        throw new NotAdmitted(error);
      }
      setup.clock?.mark("sandbox");
    } else limits = setup.limits;
    timer = setTimeout(() => stop("timeout"), setup.timeoutMs);
    // Then its limits (those it was not made with) and the configuration locked, so that nothing
    // the query runs can change any of them: on DuckDB's thread once the views are made, while
    // this one records the query's start (begin). Each statement costs DuckDB about half a
    // millisecond.
    const settings = [
      ...(threadsOf(limits) !== threadsOf(made) ? [`SET threads = ${threadsOf(limits)}`] : []),
      ...(limits.memoryLimit !== made.memoryLimit ? [`SET memory_limit = ${literal(limits.memoryLimit)}`] : []),
      "SET lock_configuration = true",
    ];
    const locked = viewsMade.then(
      (failed) =>
        failed ??
        connection.run(settings.join(";\n")).then(
          () => null,
          (error: unknown) => ({ error }),
        ),
    );
    if (setup.begin) {
      try {
        await setup.begin();
      } catch (error) {
        await locked;
        throw new NotAdmitted(error);
      }
    }
    const failed = (await locked) ?? (await dirMade);
    if (failed) throw failed.error;
    if (setup.signal?.aborted) stop("cancelled");
    stage = "running the query";
    setup.clock?.mark("execution");
    return await work({ connection, outDir: setup.outDir });
  } catch (error) {
    if (error instanceof NotAdmitted) throw error.reason;
    if (stopped) throw stopped;
    if (error instanceof SandboxFailure) throw error;
    throw new SandboxFailure(stage, error);
  } finally {
    // Never left making a directory after the caller has removed it.
    await dirMade;
    if (timer) clearTimeout(timer);
    setup.signal?.removeEventListener("abort", onAbort);
    // Freeing a large query's memory takes a while, on this thread: the result does not wait for it.
    const close = () => {
      connection.closeSync();
      instance.closeSync();
      makeSpares(setup.spares ?? 1, setup.spareLimits, path.dirname(setup.outDir));
    };
    if (setup.closeLater) setup.closeLater(close);
    else setImmediate(close);
  }
}

/**
 * Runs the final SELECT and writes its rows to the result file in the sandbox's output directory,
 * in one statement: DuckDB streams the rows into the file as they come (nothing held in a table
 * first), and a fresh instance's statement costs a millisecond or two however small the result.
 */
export async function writeResult(session: SandboxSession, select: string, format: "CSV" | "PARQUET", values?: SandboxRun["values"]): Promise<SandboxResult> {
  const file = path.join(session.outDir, format === "CSV" ? "result.csv" : "result.parquet");
  // The SELECT on lines of its own, so that a comment ending it cannot swallow the rest. COPY
  // answers with the number of rows it wrote, read from its materialized answer as it is (a
  // result reader would fetch it in two more trips through the thread pool).
  const copied = await session.connection.run(
    `COPY (\n${select}\n) TO ${literal(file)} ${format === "CSV" ? "(HEADER, DELIMITER ',')" : "(FORMAT parquet)"}`,
    values && Object.keys(values).length ? values : undefined,
  );
  return { file, rows: Number(copied.getChunk(0).getColumnVector(0).getItem(0)) };
}

export async function runInSandbox(run: SandboxRun): Promise<SandboxResult> {
  return inSandbox(run, (session) => writeResult(session, run.sql, run.resultFormat, run.values));
}
