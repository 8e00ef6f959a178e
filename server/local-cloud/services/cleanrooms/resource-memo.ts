import { getDatabase, type Database, type Db } from "@/server/db/client";
import type { cleanroomsResources } from "../../store/schema";

// Clients poll GetProtectedQuery while their queries run (twenty analysts polling every 100 ms
// is 200 reads a second), and each read of the embedded store costs a millisecond or two of the
// one event loop that also serves the queries. The embedded store (PGlite) belongs to this
// process alone, and every write of a Clean Rooms resource goes through resources.ts, so the
// process may remember the rows it has read by id and forget each one as it is written. On
// PostgreSQL, where other processes write too, nothing is remembered.
//
// Coherence: a write forgets its rows when it begins and again when it has committed, and bumps a
// generation each time; a read keeps what it read only if no write began or ended while it ran.
// So a remembered row is never older than the store's committed row. Rows are handed out as
// copies: a caller that changes what it got cannot change what the next caller gets.

export type ResourceRow = typeof cleanroomsResources.$inferSelect;

const LIMIT = 5_000;

export class ResourceMemo {
  private readonly rows = new Map<string, ResourceRow>();
  private generation = 0;

  /** The moment a read starts, to pass to `keep` when it returns. */
  now(): number {
    return this.generation;
  }

  get(id: string): ResourceRow | undefined {
    const row = this.rows.get(id);
    return row && structuredClone(row);
  }

  keep(readAt: number, rows: ResourceRow[]): void {
    if (readAt !== this.generation) return;
    for (const row of rows) {
      this.rows.delete(row.id);
      this.rows.set(row.id, structuredClone(row));
    }
    // Oldest first out: a Map iterates in insertion order.
    for (const id of this.rows.keys()) {
      if (this.rows.size <= LIMIT) break;
      this.rows.delete(id);
    }
  }

  forget(ids: string[]): void {
    this.generation++;
    for (const id of ids) this.rows.delete(id);
  }

  get size(): number {
    return this.rows.size;
  }
}

const memos = new WeakMap<Database, ResourceMemo>();

/** The store, and its memo when this process is the store's only writer (the embedded PGlite). */
export async function storeWithMemo(): Promise<{ db: Db; memo?: ResourceMemo }> {
  const database = await getDatabase();
  if (database.kind !== "pglite") return { db: database.db };
  let memo = memos.get(database);
  if (!memo) memos.set(database, (memo = new ResourceMemo()));
  return { db: database.db, memo };
}

/** Runs a write of the given resources, forgetting them before it starts and after it ends. */
export async function writing<T>(ids: string[], write: () => Promise<T>): Promise<T> {
  const { memo } = await storeWithMemo();
  memo?.forget(ids);
  try {
    return await write();
  } finally {
    memo?.forget(ids);
  }
}
