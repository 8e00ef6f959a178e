import { and, asc, eq, gt, or, sql } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { glueCrawlers, glueDatabases, gluePartitions, glueTables, glueTableVersions } from "../../store/schema";
import { storeWithReads, writingReads } from "../../store/row-memo";

export type GlueDatabaseRow = typeof glueDatabases.$inferSelect;
export type GlueTableRow = typeof glueTables.$inferSelect;
export type GlueCrawlerRow = typeof glueCrawlers.$inferSelect;
export type GluePartitionRow = typeof gluePartitions.$inferSelect;

/** A Data Catalog: each account has one in each region, as on AWS. */
export interface Catalog {
  accountId: string;
  region: string;
}

/** The catalog a request works in: its account's, in the region it was signed for. */
export const catalogOf = (caller: Catalog): Catalog => ({ accountId: caller.accountId, region: caller.region });

// The Glue tables behind a collaboration's configured tables are read by every protected query
// when it starts and when it runs: remembered on the embedded store (store/row-memo.ts), and
// forgotten by every write of a table.
const TABLE_READS = "glue_tables";
const writingTables = <T>(write: () => Promise<T>) => writingReads(TABLE_READS, write);

type CatalogTable = typeof glueDatabases | typeof glueTables | typeof glueTableVersions | typeof gluePartitions | typeof glueCrawlers;
const inCatalog = (table: CatalogTable, catalog: Catalog) => and(eq(table.accountId, catalog.accountId), eq(table.region, catalog.region))!;

export async function insertDatabase(row: typeof glueDatabases.$inferInsert): Promise<boolean> {
  const db = await getDb();
  return (await db.insert(glueDatabases).values(row).onConflictDoNothing().returning({ name: glueDatabases.name })).length === 1;
}

export async function findDatabase(catalog: Catalog, name: string): Promise<GlueDatabaseRow | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(glueDatabases)
    .where(and(inCatalog(glueDatabases, catalog), eq(glueDatabases.name, name)));
  return row;
}

export async function listDatabases(catalog: Catalog, after: string | null, limit: number): Promise<GlueDatabaseRow[]> {
  const db = await getDb();
  const where = after === null ? inCatalog(glueDatabases, catalog) : and(inCatalog(glueDatabases, catalog), gt(glueDatabases.name, after));
  return db.select().from(glueDatabases).where(where).orderBy(asc(glueDatabases.name)).limit(limit);
}

export async function deleteDatabase(catalog: Catalog, name: string): Promise<boolean> {
  const db = await getDb();
  return writingTables(() =>
    db.transaction(async (tx) => {
      await tx.delete(glueTableVersions).where(and(inCatalog(glueTableVersions, catalog), eq(glueTableVersions.databaseName, name)));
      await tx.delete(gluePartitions).where(and(inCatalog(gluePartitions, catalog), eq(gluePartitions.databaseName, name)));
      await tx.delete(glueTables).where(and(inCatalog(glueTables, catalog), eq(glueTables.databaseName, name)));
      return (
        (
          await tx
            .delete(glueDatabases)
            .where(and(inCatalog(glueDatabases, catalog), eq(glueDatabases.name, name)))
            .returning()
        ).length === 1
      );
    }),
  );
}

export async function insertTable(row: typeof glueTables.$inferInsert): Promise<boolean> {
  const db = await getDb();
  return writingTables(async () => (await db.insert(glueTables).values(row).onConflictDoNothing().returning({ name: glueTables.name })).length === 1);
}

export async function findTable(catalog: Catalog, databaseName: string, name: string): Promise<GlueTableRow | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(glueTables)
    .where(and(inCatalog(glueTables, catalog), eq(glueTables.databaseName, databaseName), eq(glueTables.name, name)));
  return row;
}

/** Several tables, each by its catalog, database and name, in one query; missing ones are left out. */
export async function findTables(wanted: { catalog: Catalog; databaseName: string; name: string }[]): Promise<GlueTableRow[]> {
  if (!wanted.length) return [];
  const { db, reads } = await storeWithReads<GlueTableRow[]>(TABLE_READS);
  const key = JSON.stringify(wanted.map((w) => [w.catalog.accountId, w.catalog.region, w.databaseName, w.name]));
  const remembered = reads?.get(key);
  if (remembered) return remembered;
  const readAt = reads?.now();
  const rows = await db
    .select()
    .from(glueTables)
    .where(or(...wanted.map((w) => and(inCatalog(glueTables, w.catalog), eq(glueTables.databaseName, w.databaseName), eq(glueTables.name, w.name)))));
  reads?.keep(readAt, key, rows);
  return rows;
}

export async function listTables(catalog: Catalog, databaseName: string, after: string | null, limit: number): Promise<GlueTableRow[]> {
  const db = await getDb();
  const conditions = [inCatalog(glueTables, catalog), eq(glueTables.databaseName, databaseName)];
  if (after !== null) conditions.push(gt(glueTables.name, after));
  return db
    .select()
    .from(glueTables)
    .where(and(...conditions))
    .orderBy(asc(glueTables.name))
    .limit(limit);
}

/** Replaces a table's definition, keeping the one it replaces as a version, under the row's lock. */
export async function updateTableInput(catalog: Catalog, databaseName: string, name: string, input: Record<string, unknown>): Promise<boolean> {
  const db = await getDb();
  return writingTables(() =>
    db.transaction(async (tx) => {
      const where = and(inCatalog(glueTables, catalog), eq(glueTables.databaseName, databaseName), eq(glueTables.name, name));
      const [current] = await tx.select().from(glueTables).where(where).for("update");
      if (!current) return false;
      await tx
        .insert(glueTableVersions)
        .values({ ...catalog, databaseName, name, versionId: current.versionId, input: current.input, updateTime: current.updateTime })
        .onConflictDoNothing();
      await tx
        .update(glueTables)
        .set({ input, versionId: current.versionId + 1, updateTime: sql`now()` })
        .where(where);
      return true;
    }),
  );
}

/** Earlier versions of a table, newest first (the current one is the table itself). */
export async function listTableVersions(catalog: Catalog, databaseName: string, name: string) {
  const db = await getDb();
  return db
    .select()
    .from(glueTableVersions)
    .where(and(inCatalog(glueTableVersions, catalog), eq(glueTableVersions.databaseName, databaseName), eq(glueTableVersions.name, name)))
    .orderBy(sql`${glueTableVersions.versionId} desc`);
}

export async function updateDatabaseInput(catalog: Catalog, name: string, input: Record<string, unknown>): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(glueDatabases)
    .set({ input })
    .where(and(inCatalog(glueDatabases, catalog), eq(glueDatabases.name, name)))
    .returning({ name: glueDatabases.name });
  return rows.length === 1;
}

/** Changes a crawler's settings if it is READY, in one statement; the result says why not otherwise. */
export async function updateCrawlerInput(catalog: Catalog, name: string, changes: Record<string, unknown>): Promise<"updated" | "missing" | "busy"> {
  const db = await getDb();
  const rows = await db
    .update(glueCrawlers)
    .set({ input: sql`${glueCrawlers.input} || ${JSON.stringify(changes)}::jsonb`, version: sql`${glueCrawlers.version} + 1`, lastUpdated: sql`now()` })
    .where(and(inCatalog(glueCrawlers, catalog), eq(glueCrawlers.name, name), eq(glueCrawlers.state, "READY")))
    .returning({ name: glueCrawlers.name });
  if (rows.length === 1) return "updated";
  return (await findCrawler(catalog, name)) ? "busy" : "missing";
}

export async function deleteTable(catalog: Catalog, databaseName: string, name: string): Promise<boolean> {
  const db = await getDb();
  return writingTables(() =>
    db.transaction(async (tx) => {
      await tx.delete(glueTableVersions).where(and(inCatalog(glueTableVersions, catalog), eq(glueTableVersions.databaseName, databaseName), eq(glueTableVersions.name, name)));
      await tx.delete(gluePartitions).where(and(inCatalog(gluePartitions, catalog), eq(gluePartitions.databaseName, databaseName), eq(gluePartitions.tableName, name)));
      const rows = await tx
        .delete(glueTables)
        .where(and(inCatalog(glueTables, catalog), eq(glueTables.databaseName, databaseName), eq(glueTables.name, name)))
        .returning({ name: glueTables.name });
      return rows.length === 1;
    }),
  );
}

export async function insertCrawler(row: typeof glueCrawlers.$inferInsert): Promise<boolean> {
  const db = await getDb();
  return (await db.insert(glueCrawlers).values(row).onConflictDoNothing().returning({ name: glueCrawlers.name })).length === 1;
}

export async function findCrawler(catalog: Catalog, name: string): Promise<GlueCrawlerRow | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(glueCrawlers)
    .where(and(inCatalog(glueCrawlers, catalog), eq(glueCrawlers.name, name)));
  return row;
}

export async function listCrawlers(catalog: Catalog, after: string | null, limit: number): Promise<GlueCrawlerRow[]> {
  const db = await getDb();
  const where = after === null ? inCatalog(glueCrawlers, catalog) : and(inCatalog(glueCrawlers, catalog), gt(glueCrawlers.name, after));
  return db.select().from(glueCrawlers).where(where).orderBy(asc(glueCrawlers.name)).limit(limit);
}

/** Moves a crawler from one state to another; false if it was not in `from` (someone else won). */
export async function transitionCrawler(catalog: Catalog, name: string, from: string[], values: Partial<typeof glueCrawlers.$inferInsert>): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .update(glueCrawlers)
    .set({ ...values })
    .where(and(inCatalog(glueCrawlers, catalog), eq(glueCrawlers.name, name), sql`${glueCrawlers.state} in ${from}`))
    .returning({ name: glueCrawlers.name });
  return rows.length === 1;
}

export async function deleteCrawler(catalog: Catalog, name: string): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .delete(glueCrawlers)
    .where(and(inCatalog(glueCrawlers, catalog), eq(glueCrawlers.name, name)))
    .returning({ name: glueCrawlers.name });
  return rows.length === 1;
}

/** Crawls cut short by a restart end as failures, never stuck in RUNNING. */
export async function failInterruptedCrawls(): Promise<void> {
  const db = await getDb();
  await db
    .update(glueCrawlers)
    .set({
      state: "READY",
      stopRequested: 0,
      lastCrawl: sql`jsonb_build_object('Status', 'FAILED', 'ErrorMessage', 'The crawl was interrupted by a restart of the local cloud.', 'StartTime', coalesce(${glueCrawlers.crawlStartedAt}, now()))`,
    })
    .where(sql`${glueCrawlers.state} in ('RUNNING', 'STOPPING')`);
}

/** A partition's key in the store: its values, joined by a character no value may hold. */
export const partitionKey = (values: string[]) => values.join("\u0001");

/** Adds a partition, or (with `replace`) replaces the one with the same values; false if it exists. */
export async function putPartition(row: Omit<typeof gluePartitions.$inferInsert, "valuesKey">, replace = false): Promise<boolean> {
  const db = await getDb();
  const values = { ...row, valuesKey: partitionKey(row.values) };
  const insert = db.insert(gluePartitions).values(values);
  const written = replace
    ? await insert
        .onConflictDoUpdate({ target: [gluePartitions.accountId, gluePartitions.region, gluePartitions.databaseName, gluePartitions.tableName, gluePartitions.valuesKey], set: { input: row.input } })
        .returning()
    : await insert.onConflictDoNothing().returning();
  return written.length === 1;
}

const partitionOf = (catalog: Catalog, databaseName: string, tableName: string) =>
  and(inCatalog(gluePartitions, catalog), eq(gluePartitions.databaseName, databaseName), eq(gluePartitions.tableName, tableName));

export async function findPartition(catalog: Catalog, databaseName: string, tableName: string, values: string[]): Promise<GluePartitionRow | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(gluePartitions)
    .where(and(partitionOf(catalog, databaseName, tableName), eq(gluePartitions.valuesKey, partitionKey(values))));
  return row;
}

/** A table's partitions in a stable order, a page at a time. */
export async function listPartitions(catalog: Catalog, databaseName: string, tableName: string, after: string | null, limit: number): Promise<GluePartitionRow[]> {
  const db = await getDb();
  const where = after === null ? partitionOf(catalog, databaseName, tableName) : and(partitionOf(catalog, databaseName, tableName), gt(gluePartitions.valuesKey, after));
  return db.select().from(gluePartitions).where(where).orderBy(asc(gluePartitions.valuesKey)).limit(limit);
}

export async function deletePartition(catalog: Catalog, databaseName: string, tableName: string, values: string[]): Promise<boolean> {
  const db = await getDb();
  const rows = await db
    .delete(gluePartitions)
    .where(and(partitionOf(catalog, databaseName, tableName), eq(gluePartitions.valuesKey, partitionKey(values))))
    .returning();
  return rows.length === 1;
}
