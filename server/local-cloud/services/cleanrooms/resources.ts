import { randomUUID } from "node:crypto";
import { and, asc, eq, gt, inArray, or, sql } from "drizzle-orm";
import { getDb, type Db } from "@/server/db/client";
import { cleanroomsResources } from "../../store/schema";
import { storeWithMemo as storeWithMemoOf, storeWithReads, writing as writingOf, type MemoTable, type ReadMemo } from "../../store/row-memo";

export type ResourceKind = "collaboration" | "membership" | "configuredTable" | "association" | "analysisTemplate" | "privacyBudgetTemplate" | "protectedQuery";

export interface Resource<B = unknown> {
  id: string;
  kind: ResourceKind;
  accountId: string;
  collaborationId: string | null;
  membershipId: string | null;
  arn: string;
  name: string;
  body: B;
  tags: Record<string, string>;
  createTime: Date;
  updateTime: Date;
}

type ResourceRow = typeof cleanroomsResources.$inferSelect;
// Read by id on every poll of a query, and at every step of its run: remembered (store/row-memo.ts).
export const resourceRows: MemoTable<ResourceRow> = { name: "cleanrooms_resources", keyOf: (row) => row.id };
const storeWithMemo = () => storeWithMemoOf(resourceRows);

// A collaboration's associations and their configured tables are read by every query when it is
// started and again when it runs: remembered too, and forgotten by any write that may change them.
// Protected queries, written at every step of their runs, change none (their bodies are all they
// write; what else they write goes through other tables), so their writes keep the answers.
const CATALOG_READS = "cleanrooms_catalog";
const catalogKinds: ReadonlySet<ResourceKind> = new Set(["association", "configuredTable"]);
const mayChangeCatalog = (rows: ResourceRow[] | undefined) => !rows || rows.some((row) => row.kind !== "protectedQuery");

/**
 * A write of the resources with these ids, forgetting them (store/row-memo.ts) and the catalog
 * reads it may change; `committed` names the rows it wrote, as it left them.
 */
async function writing<T>(ids: string[], write: () => Promise<T>, committed?: (result: T) => ResourceRow[]): Promise<T> {
  const { reads } = await storeWithReads(CATALOG_READS);
  let rows: ResourceRow[] | undefined;
  try {
    const result = await writingOf(resourceRows, ids, write, committed);
    rows = committed?.(result);
    return result;
  } finally {
    // After the commit: a read that overlapped it is not kept (the memo's generation moves on).
    if (mayChangeCatalog(rows)) reads?.forget();
    for (const id of ids) for (const wake of watchers.get(id) ?? []) wake();
  }
}

// Who waits for a resource's next write (a client's GetProtectedQuery, answered when its query moves).
const watchers = new Map<string, Set<() => void>>();

/**
 * Resolves once the resource has next been written through this module (committed, or failed),
 * or after `ms`, whichever comes first; `stop` ends the wait. Writes by another process are not
 * seen: the wait then lasts `ms`.
 */
export function nextWrite(id: string, ms: number): { written: Promise<void>; stop(): void } {
  let wake = () => {};
  const written = new Promise<void>((resolve) => (wake = resolve));
  const timer = setTimeout(() => stop(), ms);
  const waiting = watchers.get(id) ?? new Set();
  watchers.set(id, waiting);
  const stop = () => {
    clearTimeout(timer);
    waiting.delete(wake);
    if (!waiting.size && watchers.get(id) === waiting) watchers.delete(id);
    wake();
  };
  waiting.add(stop);
  return { written, stop };
}

// Questions about a resource being answered now (a client's GetProtectedQuery), and who waits
// for them to be answered (a query's sandbox, whose closing blocks this thread for a moment).
const asking = new Map<string, { count: number; answered: Set<() => void> }>();

/** Counts a question about the resource until the returned function is called (once). */
export function askingAbout(id: string): () => void {
  const entry = asking.get(id) ?? { count: 0, answered: new Set() };
  asking.set(id, entry);
  entry.count++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--entry.count > 0) return;
    asking.delete(id);
    for (const wake of entry.answered) wake();
  };
}

/** Resolves when no question about the resource is being answered, or after `ms`. */
export function questionsAnswered(id: string, ms: number): Promise<void> {
  const entry = asking.get(id);
  if (!entry) return Promise.resolve();
  return new Promise((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      entry.answered.delete(wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    entry.answered.add(wake);
  });
}

const toResource = <B>(row: typeof cleanroomsResources.$inferSelect): Resource<B> => ({
  ...row,
  kind: row.kind as ResourceKind,
  body: row.body as B,
  createTime: new Date(row.createTime),
  updateTime: new Date(row.updateTime),
});

export function newId(): string {
  return randomUUID();
}

/**
 * Inserts a resource. Given a transaction, it commits or fails with it; associations and configured
 * tables are inserted on their own, since the catalog reads are forgotten once the insert has committed.
 */
export async function insertResource<B>(resource: Omit<Resource<B>, "createTime" | "updateTime" | "tags"> & { tags?: Record<string, string> }, within?: Db): Promise<Resource<B>> {
  if (within && catalogKinds.has(resource.kind)) throw new Error(`a ${resource.kind} is inserted in a transaction of its own`);
  const insert = async (db: Db) => {
    const [row] = await db
      .insert(cleanroomsResources)
      .values({ ...resource, body: resource.body as Record<string, unknown>, tags: resource.tags ?? {} })
      .returning();
    return row!;
  };
  // Within a caller's transaction the row is not committed yet: nothing to remember or forget.
  const row = within
    ? await insert(within)
    : await writing(
        [resource.id],
        async () => insert(await getDb()),
        (inserted) => [inserted],
      );
  return toResource<B>(row);
}

/** True for the store's unique-constraint violation (PostgreSQL and PGlite both say 23505). */
export function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === "23505") return true;
  }
  return false;
}

/** True when the resource lives in the caller's region; elsewhere it does not exist for the caller. */
export function inRegion(resource: Resource, region: string): boolean {
  return (resource.body as { region?: unknown }).region === region;
}

export async function findResource<B = unknown>(kind: ResourceKind, id: string): Promise<Resource<B> | undefined> {
  const [row] = await findResourcesById([id]);
  return row && row.kind === kind ? (row as Resource<B>) : undefined;
}

/** Resources of any kind by id, in one query (several lookups of one request in one round trip). */
export async function findResourcesById(ids: string[]): Promise<Resource[]> {
  const { db, memo } = await storeWithMemo();
  const remembered = memo && ids.map((id) => memo.get(id));
  if (remembered?.every((row) => row)) return remembered.map((row) => toResource(row!));
  const readAt = memo?.now();
  const rows = await db.select().from(cleanroomsResources).where(inArray(cleanroomsResources.id, ids));
  memo?.keep(readAt, rows);
  return rows.map((row) => toResource(row));
}

/**
 * A resource and the collaboration it belongs to, in one query (the collaboration is undefined
 * when there is none).
 */
export async function findWithCollaboration<B, C>(kind: ResourceKind, id: string): Promise<{ resource?: Resource<B>; collaboration?: Resource<C> }> {
  const { db, memo } = await storeWithMemo();
  const resource = memo?.get(id);
  const collaboration = resource?.collaborationId ? memo?.get(resource.collaborationId) : undefined;
  if (resource && resource.kind === kind && collaboration) return { resource: toResource<B>(resource), collaboration: toResource<C>(collaboration) };
  const owner = db
    .select({ id: cleanroomsResources.collaborationId })
    .from(cleanroomsResources)
    .where(and(eq(cleanroomsResources.kind, kind), eq(cleanroomsResources.id, id)));
  const readAt = memo?.now();
  const rows = await db
    .select()
    .from(cleanroomsResources)
    .where(or(and(eq(cleanroomsResources.kind, kind), eq(cleanroomsResources.id, id)), and(eq(cleanroomsResources.kind, "collaboration"), inArray(cleanroomsResources.id, owner))));
  memo?.keep(readAt, rows);
  const found = rows.find((r) => r.kind === kind && r.id === id);
  const itsCollaboration = rows.find((r) => r.kind === "collaboration" && r.id === found?.collaborationId);
  return { resource: found && toResource<B>(found), collaboration: itsCollaboration && toResource<C>(itsCollaboration) };
}

/** A collaboration's associations and the configured tables they associate, in one query. */
export async function associationsWithTables<A, T>(collaborationId: string): Promise<{ associations: Resource<A>[]; tables: Resource<T>[] }> {
  const { db, reads } = await storeWithReads<ResourceRow[]>(CATALOG_READS);
  const rows = reads?.get(collaborationId) ?? (await readAssociationsWithTables(db, collaborationId, reads));
  return {
    associations: rows.filter((r) => r.kind === "association").map((r) => toResource<A>(r)),
    tables: rows.filter((r) => r.kind === "configuredTable").map((r) => toResource<T>(r)),
  };
}

async function readAssociationsWithTables(db: Db, collaborationId: string, reads?: ReadMemo<ResourceRow[]>): Promise<ResourceRow[]> {
  const readAt = reads?.now();
  const associated = db
    .select({ id: sql<string>`${cleanroomsResources.body}->>'configuredTableId'` })
    .from(cleanroomsResources)
    .where(and(eq(cleanroomsResources.kind, "association"), eq(cleanroomsResources.collaborationId, collaborationId)));
  const rows = await db
    .select()
    .from(cleanroomsResources)
    .where(
      or(
        and(eq(cleanroomsResources.kind, "association"), eq(cleanroomsResources.collaborationId, collaborationId)),
        and(eq(cleanroomsResources.kind, "configuredTable"), inArray(cleanroomsResources.id, associated)),
      ),
    )
    .orderBy(asc(cleanroomsResources.id));
  reads?.keep(readAt, collaborationId, rows);
  return rows;
}

export async function findByArn(arn: string): Promise<Resource | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(cleanroomsResources).where(eq(cleanroomsResources.arn, arn));
  return row && toResource(row);
}

export interface ResourceFilter {
  kind: ResourceKind;
  accountId?: string;
  collaborationId?: string;
  collaborationIds?: string[];
  membershipId?: string;
  name?: string;
  /** Only resources whose body.status is one of these. */
  statuses?: string[];
  /** Only resources of this region (body.region): Clean Rooms resources live in one region. */
  region?: string;
  /** Only collaborations that list this account among their members. */
  memberAccountId?: string;
}

function conditions(filter: ResourceFilter) {
  const where = [eq(cleanroomsResources.kind, filter.kind)];
  if (filter.accountId !== undefined) where.push(eq(cleanroomsResources.accountId, filter.accountId));
  if (filter.collaborationId !== undefined) where.push(eq(cleanroomsResources.collaborationId, filter.collaborationId));
  if (filter.collaborationIds !== undefined) where.push(filter.collaborationIds.length ? inArray(cleanroomsResources.collaborationId, filter.collaborationIds) : sql`false`);
  if (filter.membershipId !== undefined) where.push(eq(cleanroomsResources.membershipId, filter.membershipId));
  if (filter.name !== undefined) where.push(eq(cleanroomsResources.name, filter.name));
  if (filter.statuses !== undefined) where.push(inArray(sql<string>`${cleanroomsResources.body}->>'status'`, filter.statuses));
  if (filter.region !== undefined) where.push(sql`${cleanroomsResources.body}->>'region' = ${filter.region}`);
  if (filter.memberAccountId !== undefined) where.push(sql`${cleanroomsResources.body}->'members' @> ${JSON.stringify([{ accountId: filter.memberAccountId }])}::jsonb`);
  return where;
}

/** Resources in creation order (then id), starting after the given id. */
export async function listResources<B = unknown>(filter: ResourceFilter, after?: string | null, limit = 1000): Promise<Resource<B>[]> {
  const db = await getDb();
  const where = conditions(filter);
  if (after) where.push(gt(cleanroomsResources.id, after));
  const rows = await db
    .select()
    .from(cleanroomsResources)
    .where(and(...where))
    .orderBy(asc(cleanroomsResources.id))
    .limit(limit);
  return rows.map((row) => toResource<B>(row));
}

type ResourceChange<B> = { body?: B; name?: string; tags?: Record<string, string> };

/**
 * Updates a resource from its current state, read under a row lock: `change` computes the new
 * values from what is stored now, not from an earlier read, so two updates of one resource
 * (two members joining, a rule changed while a tag is added) apply one after the other and
 * neither is lost. Errors thrown by `change` leave the resource as it was.
 */
export async function updateResource<B>(id: string, change: (current: Resource<B>, tx: Db) => ResourceChange<B> | Promise<ResourceChange<B>>): Promise<Resource<B>> {
  const db = await getDb();
  const updated = await writing(
    [id],
    () =>
      db.transaction(async (tx) => {
        const [row] = await tx.select().from(cleanroomsResources).where(eq(cleanroomsResources.id, id)).for("update");
        if (!row) throw new Error(`resource ${id} vanished during an update`);
        const values = await change(toResource<B>(row), tx);
        const [updated] = await tx
          .update(cleanroomsResources)
          .set({ ...values, body: values.body as Record<string, unknown> | undefined, updateTime: sql`now()` })
          .where(eq(cleanroomsResources.id, id))
          .returning();
        return updated!;
      }),
    (row) => [row],
  );
  return toResource<B>(updated);
}

/**
 * Changes one resource under a row lock, so that concurrent changes of it serialize instead of
 * overwriting each other: `step` sees the current resource and returns the next body, or null to
 * leave it unchanged; whatever else `step` writes through `tx` commits or fails with it.
 */
export async function changeResource<B>(id: string, step: (current: Resource<B>, tx: Db) => Promise<B | null>): Promise<{ resource: Resource<B>; changed: boolean } | undefined> {
  const db = await getDb();
  const outcome = await writing(
    [id],
    () =>
      db.transaction(async (tx) => {
        const [row] = await tx.select().from(cleanroomsResources).where(eq(cleanroomsResources.id, id)).for("update");
        if (!row) return undefined;
        const body = await step(toResource<B>(row), tx);
        if (body === null) return { row, changed: false };
        const [updated] = await tx
          .update(cleanroomsResources)
          .set({ body: body as Record<string, unknown>, updateTime: sql`now()` })
          .where(eq(cleanroomsResources.id, id))
          .returning();
        return { row: updated!, changed: true };
      }),
    (result) => (result ? [result.row] : []),
  );
  return outcome && { resource: toResource<B>(outcome.row), changed: outcome.changed };
}

/** Deletes a resource if `check`, run under its row lock, does not throw; true when there was one to delete. */
export async function deleteResourceIf<B>(id: string, check: (current: Resource<B>, tx: Db) => Promise<void>): Promise<boolean> {
  const db = await getDb();
  return writing([id], () =>
    db.transaction(async (tx) => {
      const [row] = await tx.select().from(cleanroomsResources).where(eq(cleanroomsResources.id, id)).for("update");
      if (!row) return false;
      await check(toResource<B>(row), tx);
      await tx.delete(cleanroomsResources).where(eq(cleanroomsResources.id, id));
      return true;
    }),
  );
}

export async function deleteResources(ids: string[]): Promise<void> {
  if (!ids.length) return;
  const db = await getDb();
  await writing(ids, () => db.delete(cleanroomsResources).where(inArray(cleanroomsResources.id, ids)));
}

/**
 * Moves a resource from one status to another in one statement, merging `patch` into its body:
 * the row's own lock serializes it with changeResource, and it changes nothing (undefined) when
 * the status is no longer `from`. A query's start is this: one round trip instead of four.
 */
export async function transitionResource<B>(id: string, from: string, patch: Partial<B> & { status: string }): Promise<Resource<B> | undefined> {
  const db = await getDb();
  const [updated] = await writing(
    [id],
    () => transition(db, id, from, patch),
    (rows) => rows,
  );
  return updated && toResource<B>(updated);
}

const transition = (db: Db, id: string, from: string, patch: { status: string }) =>
  db
    .update(cleanroomsResources)
    .set({ body: sql`${cleanroomsResources.body} || ${JSON.stringify(patch)}::jsonb`, updateTime: sql`now()` })
    .where(and(eq(cleanroomsResources.id, id), sql`${cleanroomsResources.body}->>'status' = ${from}`))
    .returning();

/**
 * transitionResource, and `alongside` writing through the same transaction once the move is made
 * (the row then locked by it): both commit or neither does. Undefined, with nothing written, when
 * the status is no longer `from`. A query's result and its SUCCESS are this: the query's row is
 * locked and moved by one statement, not read under a lock and then written.
 */
export async function transitionResourceWith<B, T>(
  id: string,
  from: string,
  patch: Partial<B> & { status: string },
  alongside: (tx: Db) => Promise<T>,
): Promise<{ resource: Resource<B>; result: T } | undefined> {
  const db = await getDb();
  const outcome = await writing(
    [id],
    () =>
      db.transaction(async (tx) => {
        const [row] = await transition(tx, id, from, patch);
        return row && { row, result: await alongside(tx) };
      }),
    (done) => (done ? [done.row] : []),
  );
  return outcome && { resource: toResource<B>(outcome.row), result: outcome.result };
}
