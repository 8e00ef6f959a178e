import fs from "node:fs";
import path from "node:path";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { sql, type SQL } from "drizzle-orm";
import { dataDir, databaseUrl } from "@/server/config";
import { log } from "@/server/log";
import { withTextParsers } from "./pglite-parsers";
import * as schema from "./schema";

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;
export type DbKind = "pglite" | "postgres";

export interface Database {
  db: Db;
  kind: DbKind;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A postgres:// URL; without it the embedded PGlite is used. */
  url?: string;
  /** Where PGlite keeps its files; "memory://" keeps nothing. */
  pgliteDir?: string;
}

const migrationsFolder = path.join(process.cwd(), "server", "db", "migrations");

// Any postgres transaction-level lock id will do, as long as every instance uses the same one:
// it keeps two console instances from applying the same migration at once.
const MIGRATION_LOCK_ID = 7_316_042;

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url);
  return openPglite(options.pgliteDir ?? path.join(dataDir(), "pglite"));
}

async function openPglite(dir: string): Promise<Database> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  if (!dir.startsWith("memory://")) fs.mkdirSync(dir, { recursive: true });
  const client = new PGlite(dir);
  const db = drizzle({ client: await withTextParsers(client), schema });
  await migrate(db, { migrationsFolder });
  return { db: db as unknown as Db, kind: "pglite", close: () => client.close() };
}

async function openPostgres(url: string): Promise<Database> {
  const { Pool } = await import("pg");
  const { drizzle } = await import("drizzle-orm/node-postgres");
  const { migrate } = await import("drizzle-orm/node-postgres/migrator");
  const pool = new Pool({ connectionString: url, max: 10 });
  // An idle connection that the server ends (a restart, a dropped database) emits "error" on the
  // pool; without a listener that would end the process. The pool replaces the connection.
  pool.on("error", (error) => log("warn", "an idle PostgreSQL connection ended", { code: (error as { code?: string }).code }));
  const db = drizzle({ client: pool, schema });
  const lockClient = await pool.connect();
  try {
    await lockClient.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    await migrate(drizzle({ client: lockClient, schema }), { migrationsFolder });
  } finally {
    await lockClient.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]).catch(() => {});
    lockClient.release();
  }
  return { db: db as unknown as Db, kind: "postgres", close: () => pool.end() };
}

// One client per process. It lives on globalThis so that Next.js development reloads, and the
// separate bundles of one server process, all share it (two PGlite instances on one directory
// would corrupt it).
const holder = globalThis as typeof globalThis & { __cleanroomsDatabase?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  holder.__cleanroomsDatabase ??= openDatabase({ url: databaseUrl() }).catch((error: unknown) => {
    holder.__cleanroomsDatabase = undefined;
    throw error;
  });
  return holder.__cleanroomsDatabase;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

/** Replaces the process's database (scripts and tests that manage their own). */
export async function setProcessDatabase(database: Database | undefined): Promise<void> {
  const previous = holder.__cleanroomsDatabase;
  holder.__cleanroomsDatabase = database ? Promise.resolve(database) : undefined;
  if (previous) {
    const open = await previous.catch(() => undefined);
    if (open && open !== database) await open.close();
  }
}

export async function ping(db: Db): Promise<void> {
  await db.execute(sql`select 1`);
}

/** Rows of a raw SQL query; PGlite and node-postgres both answer with `{ rows }`. */
export async function queryRows<T>(db: Db, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
