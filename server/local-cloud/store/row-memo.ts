import { getDatabase, type Database, type Db } from "@/server/db/client";

// Clients poll GetProtectedQuery while their queries run (twenty analysts polling every 100 ms
// is 200 reads a second), every S3 request looks up its bucket, and each read of the embedded
// store costs a millisecond or so of the one event loop that also serves the queries. The
// embedded store (PGlite) belongs to this process alone, and the tables remembered here are
// written only through their store modules (Clean Rooms resources, S3 buckets), so the process may
// remember the rows it has read by key and forget each one as it is written. On PostgreSQL,
// where other processes write too, nothing is remembered.
//
// Coherence: a write forgets its rows when it begins and again when it has committed, and bumps a
// generation each time; a read keeps what it read only if no write began or ended while it ran.
// So a remembered row is never older than the store's committed row. Rows are handed out as
// copies: a caller that changes what it got cannot change what the next caller gets.

const LIMIT = 5_000;

export class RowMemo<R> {
  private readonly rows = new Map<string, R>();
  private generation = 0;

  constructor(private readonly keyOf: (row: R) => string) {}

  /** The moment a read starts, to pass to `keep` when it returns. */
  now(): number {
    return this.generation;
  }

  get(key: string): R | undefined {
    const row = this.rows.get(key);
    return row && structuredClone(row);
  }

  keep(readAt: number | undefined, rows: R[]): void {
    if (readAt !== this.generation) return;
    for (const row of rows) {
      const key = this.keyOf(row);
      this.rows.delete(key);
      this.rows.set(key, structuredClone(row));
    }
    // Oldest first out: a Map iterates in insertion order.
    for (const key of this.rows.keys()) {
      if (this.rows.size <= LIMIT) break;
      this.rows.delete(key);
    }
  }

  forget(keys: string[]): void {
    this.generation++;
    for (const key of keys) this.rows.delete(key);
  }

  get size(): number {
    return this.rows.size;
  }
}

export interface MemoTable<R> {
  name: string;
  keyOf(row: R): string;
}

const memos = new WeakMap<Database, Map<string, RowMemo<unknown>>>();

/** The store, and the table's memo when this process is the store's only writer (the embedded PGlite). */
export async function storeWithMemo<R>(table: MemoTable<R>): Promise<{ db: Db; memo?: RowMemo<R> }> {
  const database = await getDatabase();
  if (database.kind !== "pglite") return { db: database.db };
  let tables = memos.get(database);
  if (!tables) memos.set(database, (tables = new Map()));
  let memo = tables.get(table.name) as RowMemo<R> | undefined;
  if (!memo) tables.set(table.name, (memo = new RowMemo<R>(table.keyOf)) as RowMemo<unknown>);
  return { db: database.db, memo };
}

/** Runs a write of the given rows, forgetting them before it starts and after it ends. */
export async function writing<R, T>(table: MemoTable<R>, keys: string[], write: () => Promise<T>): Promise<T> {
  const { memo } = await storeWithMemo(table);
  memo?.forget(keys);
  try {
    return await write();
  } finally {
    memo?.forget(keys);
  }
}
