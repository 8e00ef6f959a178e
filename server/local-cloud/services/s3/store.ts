import { and, asc, eq, gt, sql } from "drizzle-orm";
import { getDb, queryRows, type Db } from "@/server/db/client";
import { s3Buckets, s3MultipartParts, s3MultipartUploads, s3ObjectVersions, s3Objects } from "../../store/schema";
import { storeWithMemo, storeWithReads, writing, writingReads, type MemoTable } from "../../store/row-memo";

export type Bucket = typeof s3Buckets.$inferSelect;
export type StoredObject = typeof s3Objects.$inferSelect;
/** S3's largest object: 5 TiB. */
export const MAX_OBJECT_BYTES = 5 * 1024 ** 4;

export type MultipartUpload = typeof s3MultipartUploads.$inferSelect;
export type MultipartPart = typeof s3MultipartParts.$inferSelect;

/**
 * Serializes writers of one name (an object key, a part) for the rest of the transaction. A row
 * lock cannot do it when the row does not exist yet: two first writers would both see nothing to
 * replace, and the body one of them replaced would stay on disk, referenced by nothing.
 */
async function lockName(tx: Db, ...parts: string[]): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${parts.join("/")}, 0))`);
}

// Every S3 request and every protected query looks up buckets by name: remembered (store/row-memo.ts).
const bucketRows: MemoTable<Bucket> = { name: "s3_buckets", keyOf: (row) => row.name };

export async function findBucket(name: string): Promise<Bucket | undefined> {
  const { db, memo } = await storeWithMemo(bucketRows);
  const known = memo?.get(name);
  if (known) return known;
  const readAt = memo?.now();
  const [row] = await db.select().from(s3Buckets).where(eq(s3Buckets.name, name));
  if (row) memo?.keep(readAt, [row]);
  return row;
}

export async function insertBucket(bucket: { name: string; accountId: string; region: string }): Promise<boolean> {
  const db = await getDb();
  const rows = await writing(bucketRows, [bucket.name], () => db.insert(s3Buckets).values(bucket).onConflictDoNothing().returning({ name: s3Buckets.name }));
  return rows.length === 1;
}

/** An account's buckets in name order, after `after`, at most `limit`, optionally by prefix and region. */
export async function listBuckets(accountId: string, { after = null, limit, prefix = "", region }: { after?: string | null; limit: number; prefix?: string; region?: string }): Promise<Bucket[]> {
  const db = await getDb();
  return db
    .select()
    .from(s3Buckets)
    .where(
      and(
        eq(s3Buckets.accountId, accountId),
        after === null ? undefined : gt(s3Buckets.name, after),
        prefix ? sql`starts_with(${s3Buckets.name}, ${prefix})` : undefined,
        region ? eq(s3Buckets.region, region) : undefined,
      ),
    )
    .orderBy(asc(s3Buckets.name))
    .limit(limit);
}

export async function updateBucket(name: string, values: Partial<Pick<Bucket, "versioning" | "encryption" | "cors">>): Promise<void> {
  const db = await getDb();
  await writing(bucketRows, [name], () => db.update(s3Buckets).set(values).where(eq(s3Buckets.name, name)));
}

/** Deletes an empty bucket; false when it still holds objects or uploads. */
export async function deleteEmptyBucket(name: string): Promise<boolean> {
  const db = await getDb();
  return writing(bucketRows, [name], () =>
    db.transaction(async (tx) => {
      const [object] = await tx.select({ key: s3Objects.key }).from(s3Objects).where(eq(s3Objects.bucket, name)).limit(1);
      if (object) return false;
      // Noncurrent versions and delete markers keep a bucket from being empty, as on S3.
      const [version] = await tx.select({ key: s3ObjectVersions.key }).from(s3ObjectVersions).where(eq(s3ObjectVersions.bucket, name)).limit(1);
      if (version) return false;
      const uploads = await tx.select({ id: s3MultipartUploads.uploadId }).from(s3MultipartUploads).where(eq(s3MultipartUploads.bucket, name));
      for (const { id } of uploads) await tx.delete(s3MultipartParts).where(eq(s3MultipartParts.uploadId, id));
      await tx.delete(s3MultipartUploads).where(eq(s3MultipartUploads.bucket, name));
      await tx.delete(s3Buckets).where(eq(s3Buckets.name, name));
      return true;
    }),
  );
}

export async function findObject(bucket: string, key: string): Promise<StoredObject | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(s3Objects)
    .where(and(eq(s3Objects.bucket, bucket), eq(s3Objects.key, key)));
  return row;
}

/** Replaces an object's tags alone, in one statement; false when there is no such object. */
export async function setBucketTags(name: string, tags: Record<string, string> | null): Promise<void> {
  const db = await getDb();
  await writing(bucketRows, [name], () => db.update(s3Buckets).set({ tags }).where(eq(s3Buckets.name, name)));
}

/** Objects in key order (byte order, as S3 lists them) after `after`, under `prefix`. */
export async function listObjectRows(bucket: string, prefix: string, after: string | null, limit: number): Promise<StoredObject[]> {
  const db = await getDb();
  const conditions = [eq(s3Objects.bucket, bucket)];
  if (prefix) conditions.push(sql`starts_with(${s3Objects.key}, ${prefix})`);
  if (after !== null) conditions.push(sql`${s3Objects.key} COLLATE "C" > ${after}`);
  return db
    .select()
    .from(s3Objects)
    .where(and(...conditions))
    .orderBy(sql`${s3Objects.key} COLLATE "C"`)
    .limit(limit);
}

export async function insertUpload(upload: typeof s3MultipartUploads.$inferInsert): Promise<void> {
  const db = await getDb();
  await db.insert(s3MultipartUploads).values(upload);
}

export async function findUpload(uploadId: string): Promise<MultipartUpload | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(s3MultipartUploads).where(eq(s3MultipartUploads.uploadId, uploadId));
  return row;
}

/**
 * Records a part; returns the blob of the part it replaced when that was a file of its own (a
 * part in the assembly leaves its place there, taken for good).
 */
export async function putPartRow(part: typeof s3MultipartParts.$inferInsert): Promise<string | null> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    await lockName(tx, "part", part.uploadId, String(part.partNumber));
    const [previous] = await tx
      .select({ blob: s3MultipartParts.blob, offset: s3MultipartParts.offset })
      .from(s3MultipartParts)
      .where(and(eq(s3MultipartParts.uploadId, part.uploadId), eq(s3MultipartParts.partNumber, part.partNumber)));
    await tx
      .insert(s3MultipartParts)
      .values(part)
      .onConflictDoUpdate({
        target: [s3MultipartParts.uploadId, s3MultipartParts.partNumber],
        set: { blob: part.blob, offset: part.offset ?? null, size: part.size, etag: part.etag, checksum: part.checksum ?? null, lastModified: sql`now()` },
      });
    return previous && previous.offset === null ? previous.blob : null;
  });
}

/**
 * Takes part `partNumber`'s place in the upload's assembly for a body of `size` bytes, and
 * answers the assembly's blob and the place's offset; null when the part must be a file of its
 * own. The first part to come sets the stride. A place is taken once, however its body ends, so
 * two requests never write the same bytes; none is taken once Complete has sealed the upload. One
 * UPDATE of the upload's row, so a take and a seal are ordered by its lock.
 */
export async function claimAssemblyPlace(uploadId: string, partNumber: number, size: number): Promise<{ assembly: string; offset: number } | null> {
  const db = await getDb();
  const u = s3MultipartUploads;
  const [row] = await db
    .update(u)
    .set({ stride: sql`COALESCE(${u.stride}, ${size}::bigint)`, claimed: sql`array_append(${u.claimed}, ${partNumber}::integer)` })
    .where(
      and(
        eq(u.uploadId, uploadId),
        eq(u.sealed, false),
        sql`${u.assembly} IS NOT NULL`,
        sql`NOT (${partNumber}::integer = ANY(${u.claimed}))`,
        sql`COALESCE(${u.stride}, ${size}::bigint) >= ${size}::bigint`,
        // No place beyond the largest object S3 allows (a file that far would be refused by the
        // file system, or be a sparse file of terabytes).
        sql`(${partNumber - 1}::bigint * COALESCE(${u.stride}, ${size}::bigint)) + ${size}::bigint <= ${MAX_OBJECT_BYTES}::bigint`,
      ),
    )
    .returning({ assembly: u.assembly, stride: u.stride });
  return row ? { assembly: row.assembly!, offset: (partNumber - 1) * row.stride! } : null;
}

export interface SealedAssembly {
  assembly: string | null;
  stride: number | null;
  claimed: number[];
  /** Whether this call sealed it: only that Complete may make the assembly its object. */
  first: boolean;
}

/** Seals the upload (no place is taken after) and answers its assembly and the places taken before. */
export async function sealAssembly(uploadId: string): Promise<SealedAssembly> {
  const db = await getDb();
  const [row] = await queryRows<SealedAssembly>(
    db,
    sql`UPDATE ${s3MultipartUploads} AS u SET sealed = true
      FROM (SELECT upload_id, assembly, stride, claimed, sealed FROM ${s3MultipartUploads} WHERE upload_id = ${uploadId} FOR UPDATE) AS old
      WHERE u.upload_id = old.upload_id
      RETURNING old.assembly, old.stride::double precision AS stride, old.claimed, NOT old.sealed AS first`,
  );
  return row ?? { assembly: null, stride: null, claimed: [], first: false };
}

export async function listPartRows(uploadId: string): Promise<MultipartPart[]> {
  const db = await getDb();
  return db.select().from(s3MultipartParts).where(eq(s3MultipartParts.uploadId, uploadId)).orderBy(asc(s3MultipartParts.partNumber));
}

/**
 * Removes an upload and its parts; returns the blobs for removal: the parts' own files and the
 * assembly (gone already when it became the object: it was moved to a blob id of its own).
 */
export async function deleteUploadRows(uploadId: string): Promise<string[]> {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const parts = await tx.delete(s3MultipartParts).where(eq(s3MultipartParts.uploadId, uploadId)).returning({ blob: s3MultipartParts.blob, offset: s3MultipartParts.offset });
    const [upload] = await tx.delete(s3MultipartUploads).where(eq(s3MultipartUploads.uploadId, uploadId)).returning({ assembly: s3MultipartUploads.assembly });
    return [...new Set([...parts.map((p) => p.blob), ...(upload?.assembly ? [upload.assembly] : [])])];
  });
}

/** Uploads of a bucket in key order, then upload order, after a (key, upload id) position. */
export async function listUploadRows(bucket: string, prefix: string, after: { key: string; uploadId: string | null } | null, limit: number): Promise<MultipartUpload[]> {
  const db = await getDb();
  const conditions = [eq(s3MultipartUploads.bucket, bucket)];
  if (prefix) conditions.push(sql`starts_with(${s3MultipartUploads.key}, ${prefix})`);
  if (after) {
    conditions.push(
      after.uploadId === null
        ? sql`${s3MultipartUploads.key} COLLATE "C" > ${after.key}`
        : sql`(${s3MultipartUploads.key} COLLATE "C" > ${after.key} OR (${s3MultipartUploads.key} = ${after.key} AND ${s3MultipartUploads.uploadId} COLLATE "C" > ${after.uploadId}))`,
    );
  }
  return db
    .select()
    .from(s3MultipartUploads)
    .where(and(...conditions))
    .orderBy(sql`${s3MultipartUploads.key} COLLATE "C"`, sql`${s3MultipartUploads.uploadId} COLLATE "C"`)
    .limit(limit);
}

/** Ids of uploads started before `before`, which nobody completed or aborted. */
export async function abandonedUploadIds(before: Date): Promise<string[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: s3MultipartUploads.uploadId })
    .from(s3MultipartUploads)
    .where(sql`${s3MultipartUploads.createdAt} < ${before.toISOString()}`);
  return rows.map((r) => r.id);
}

/** Every blob an object refers to (the columnar cache keeps copies only of these). */
export async function liveBlobIds(): Promise<Set<string>> {
  const db = await getDb();
  const rows = await db.select({ blob: s3Objects.blob }).from(s3Objects);
  return new Set(rows.map((r) => r.blob));
}

// The objects under a table's location are listed by every protected query that reads it: a
// listing that fits in one page is remembered on the embedded store (store/row-memo.ts) until a
// write of a key under its prefix.
const LISTINGS = "s3_listings";
const listingKey = (bucket: string, prefix: string) => `${bucket}\n${prefix}`;

/**
 * Runs a write of a key's current version (or its tags), forgetting the listings it may change
 * when it begins and once it has committed: the caller that owns the write's transaction runs it.
 */
export function writingObject<T>(bucket: string, key: string, write: () => Promise<T>): Promise<T> {
  return writingReads(LISTINGS, write, (listing) => {
    const cut = listing.indexOf("\n");
    return listing.slice(0, cut) === bucket && key.startsWith(listing.slice(cut + 1));
  });
}

/** Every current object under a prefix, in key order, read from the store a page at a time. */
export async function* objectsUnder(bucket: string, prefix: string): AsyncGenerator<StoredObject> {
  const { reads } = await storeWithReads<StoredObject[]>(LISTINGS);
  const key = listingKey(bucket, prefix);
  const remembered = reads?.get(key);
  if (remembered) return yield* remembered;
  const readAt = reads?.now();
  let after: string | null = null;
  for (;;) {
    const rows = await listObjectRows(bucket, prefix, after, 1000);
    // A listing of one page is remembered whole.
    if (after === null && rows.length < 1000) reads?.keep(readAt, key, rows);
    yield* rows;
    if (rows.length < 1000) return;
    after = rows.at(-1)!.key;
  }
}
