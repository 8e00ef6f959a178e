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
// So a remembered row is never older than the store's committed row. A write that overlapped no
// other write keeps the row it committed (a query's status, read by every poll that follows).
// Rows are handed out as copies: a caller that changes what it got cannot change what the next
// caller gets.
//
// Reads over several rows (a collaboration's tables, a catalog's Glue tables, the objects under a
// prefix) are remembered by what they asked (ReadMemo), under the same rule; a write forgets, when
// it begins and once it has committed, every answer it may change.

const LIMIT = 5_000;

/**
 * A deep copy of a row as the store returns it (plain objects, arrays, dates, primitives), made
 * field by field: seven times faster than structuredClone on a query's row, and polls copy rows
 * on every answer. Anything else (a Buffer, say) is copied by structuredClone.
 */
export function copied<T>(value: T): T {
  if (value === null || typeof value !== "object") return value;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (Array.isArray(value)) return value.map(copied) as T;
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return structuredClone(value);
  const copy: Record<string, unknown> = prototype === null ? Object.create(null) : {};
  for (const key of Object.keys(value)) {
    const field = copied((value as Record<string, unknown>)[key]);
    // A JSON key "__proto__" (a tag, say) stays a key: assigned, it would set the copy's prototype.
    if (key === "__proto__") Object.defineProperty(copy, key, { value: field, enumerable: true, writable: true, configurable: true });
    else copy[key] = field;
  }
  return copy as T;
}

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
    return row && copied(row);
  }

  keep(readAt: number | undefined, rows: R[]): void {
    if (readAt !== this.generation) return;
    for (const row of rows) {
      const key = this.keyOf(row);
      this.rows.delete(key);
      this.rows.set(key, copied(row));
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

/** Answers of reads over several rows, by what was asked; see the coherence rule above. */
export class ReadMemo<V> {
  private readonly answers = new Map<string, V>();
  private generation = 0;

  constructor(private readonly limit = 1_000) {}

  now(): number {
    return this.generation;
  }

  get(key: string): V | undefined {
    const answer = this.answers.get(key);
    return answer && copied(answer);
  }

  keep(readAt: number | undefined, key: string, answer: V): void {
    if (readAt !== this.generation) return;
    this.answers.delete(key);
    this.answers.set(key, copied(answer));
    for (const oldest of this.answers.keys()) {
      if (this.answers.size <= this.limit) break;
      this.answers.delete(oldest);
    }
  }

  /** Forgets the answers a write may change (by default all of them). */
  forget(affects: (key: string) => boolean = () => true): void {
    this.generation++;
    // Deleting the entry being visited is safe while a Map is iterated.
    for (const key of this.answers.keys()) if (affects(key)) this.answers.delete(key);
  }

  get size(): number {
    return this.answers.size;
  }
}

export interface MemoTable<R> {
  name: string;
  keyOf(row: R): string;
}

const memos = new WeakMap<Database, Map<string, RowMemo<unknown> | ReadMemo<unknown>>>();

/** The memo of this name, made on first use, when this process is the store's only writer (the embedded PGlite). */
async function memoOf<M>(name: string, make: () => M): Promise<{ db: Db; memo?: M }> {
  const database = await getDatabase();
  if (database.kind !== "pglite") return { db: database.db };
  let named = memos.get(database);
  if (!named) memos.set(database, (named = new Map()));
  let memo = named.get(name) as M | undefined;
  if (!memo) named.set(name, (memo = make()) as RowMemo<unknown>);
  return { db: database.db, memo };
}

/** The store, and the table's memo when this process is the store's only writer (the embedded PGlite). */
export async function storeWithMemo<R>(table: MemoTable<R>): Promise<{ db: Db; memo?: RowMemo<R> }> {
  return memoOf(`rows:${table.name}`, () => new RowMemo<R>(table.keyOf));
}

/** The store, and the memo of the named reads (see ReadMemo) on the embedded store. */
export async function storeWithReads<V>(name: string): Promise<{ db: Db; reads?: ReadMemo<V> }> {
  const { db, memo } = await memoOf(`reads:${name}`, () => new ReadMemo<V>());
  return { db, reads: memo };
}

/**
 * Runs a write of the given rows, forgetting them before it starts and after it ends. `committed`
 * names the rows as the write left them, to be kept if no other write overlapped it.
 */
export async function writing<R, T>(table: MemoTable<R>, keys: string[], write: () => Promise<T>, committed?: (result: T) => R[]): Promise<T> {
  const { memo } = await storeWithMemo(table);
  memo?.forget(keys);
  const began = memo?.now();
  let result: T | undefined;
  let done = false;
  try {
    result = await write();
    done = true;
    return result;
  } finally {
    const alone = memo?.now() === began;
    memo?.forget(keys);
    if (memo && done && alone && committed) memo.keep(memo.now(), committed(result as T));
  }
}

/** Runs a write that may change answers of the named reads, forgetting those `affects` names before it starts and after it ends. */
export async function writingReads<T>(name: string, write: () => Promise<T>, affects?: (key: string) => boolean): Promise<T> {
  const { reads } = await storeWithReads(name);
  reads?.forget(affects);
  try {
    return await write();
  } finally {
    reads?.forget(affects);
  }
}
