import { randomBytes } from "node:crypto";
import { and, desc, eq, sql } from "drizzle-orm";
import { getDb, type Db } from "@/server/db/client";
import { s3Buckets, s3Objects, s3ObjectVersions } from "../../store/schema";
import { writingObject } from "./store";

// Object versions, as S3 keeps them. The current version of a key is its row in s3_objects (so
// reads, listings, protected queries and crawlers see current objects only); versions it replaced
// and delete markers are rows in s3_object_versions. In a bucket that never had versioning, a
// write replaces the object and its body is removed; with versioning Enabled, every write and
// delete keeps what it replaces; Suspended writes and deletes take the "null" version.

type ObjectRow = typeof s3Objects.$inferSelect;
type VersionRow = typeof s3ObjectVersions.$inferSelect;
export type Versioning = "Enabled" | "Suspended" | null;

/** What a write or delete did: bodies no version refers to any more, and the version it made. */
export interface VersionOutcome {
  removed: string[];
  /** The version id to report (x-amz-version-id), or null in a bucket that never had versioning. */
  versionId: string | null;
  deleteMarker: boolean;
}

export const newVersionId = () => randomBytes(24).toString("base64url");
/** Whether an id has the shape of the ids this store makes (or is the null version's). */
export const isVersionId = (id: string) => id === "null" || /^[A-Za-z0-9_-]{32}$/.test(id);

// The advisory lock that serializes writers of one key, even before its first row exists (see putPartRow).
const keyLock = (bucket: string, key: string) => sql`pg_advisory_xact_lock(hashtextextended(${`object/${bucket}/${key}`}, 0))`;

/** The bucket's versioning (null if it never had any), as a scalar subquery of a statement. */
const versioningOf = (bucket: string) => sql`(SELECT ${s3Buckets.versioning} FROM ${s3Buckets} WHERE ${s3Buckets.name} = ${bucket})`;

async function lockKey(tx: Db, bucket: string, key: string): Promise<void> {
  await tx.execute(sql`SELECT ${keyLock(bucket, key)}`);
}

/**
 * lockKey and the bucket's versioning, in one round trip. The versioning is not guarded by the
 * key's lock (PutBucketVersioning takes no key lock), so reading it as the statement starts or
 * once the lock is held is the same.
 */
async function lockKeyAndVersioning(tx: Db, bucket: string, key: string): Promise<Versioning> {
  const result = (await tx.execute(sql`SELECT ${keyLock(bucket, key)}, ${versioningOf(bucket)} AS versioning`)) as unknown as
    { rows: { versioning: string | null }[] } | { versioning: string | null }[];
  return ((Array.isArray(result) ? result : result.rows)[0]?.versioning as Versioning) ?? null;
}

async function currentRow(tx: Db, bucket: string, key: string): Promise<ObjectRow | undefined> {
  const [row] = await tx
    .select()
    .from(s3Objects)
    .where(and(eq(s3Objects.bucket, bucket), eq(s3Objects.key, key)))
    .for("update");
  return row;
}

/** Moves the current row into the noncurrent versions (it stays readable by its id). */
async function archive(tx: Db, row: ObjectRow): Promise<void> {
  await tx.insert(s3ObjectVersions).values({
    bucket: row.bucket,
    key: row.key,
    versionId: row.versionId ?? "null",
    blob: row.blob,
    size: row.size,
    etag: row.etag,
    contentType: row.contentType,
    headers: row.headers,
    metadata: row.metadata,
    checksum: row.checksum,
    partsCount: row.partsCount,
    tags: row.tags,
    partSizes: row.partSizes,
    lastModified: row.lastModified,
  });
}

/** Removes the noncurrent "null" version of a key, if there is one; returns its body. */
async function dropNullVersion(tx: Db, bucket: string, key: string): Promise<string[]> {
  const rows = await tx
    .delete(s3ObjectVersions)
    .where(and(eq(s3ObjectVersions.bucket, bucket), eq(s3ObjectVersions.key, key), eq(s3ObjectVersions.versionId, "null")))
    .returning({ blob: s3ObjectVersions.blob });
  return rows.flatMap((r) => (r.blob ? [r.blob] : []));
}

/** Makes the key's newest noncurrent version current again, unless that is a delete marker. */
async function promoteNewest(tx: Db, bucket: string, key: string): Promise<void> {
  if (await currentRow(tx, bucket, key)) return;
  const [newest] = await tx
    .select()
    .from(s3ObjectVersions)
    .where(and(eq(s3ObjectVersions.bucket, bucket), eq(s3ObjectVersions.key, key)))
    .orderBy(desc(s3ObjectVersions.sequence))
    .limit(1);
  if (!newest || newest.isDeleteMarker) return;
  await tx.delete(s3ObjectVersions).where(eq(s3ObjectVersions.sequence, newest.sequence));
  await tx.insert(s3Objects).values({
    bucket,
    key,
    blob: newest.blob!,
    size: newest.size,
    etag: newest.etag!,
    contentType: newest.contentType!,
    headers: newest.headers ?? {},
    metadata: newest.metadata ?? {},
    checksum: newest.checksum,
    partsCount: newest.partsCount,
    tags: newest.tags ?? {},
    partSizes: newest.partSizes,
    versionId: newest.versionId === "null" ? null : newest.versionId,
    lastModified: newest.lastModified,
  });
}

/** If-Match / If-None-Match of a write, checked against the current version under the key's lock. */
export interface WriteConditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

export class WriteConditionFailed extends Error {
  constructor(readonly status: 404 | 412) {
    super(status === 404 ? "The specified key does not exist." : "At least one of the pre-conditions you specified did not hold");
  }
}

function checkWriteConditions(previous: ObjectRow | undefined, conditions: WriteConditions): void {
  const etag = previous ? `"${previous.etag}"` : null;
  const matches = (list: string) => list.split(",").some((t) => t.trim() === "*" || t.trim() === etag || t.trim() === previous?.etag);
  if (conditions.ifMatch !== undefined) {
    if (!previous) throw new WriteConditionFailed(404);
    if (!matches(conditions.ifMatch)) throw new WriteConditionFailed(412);
  }
  if (conditions.ifNoneMatch !== undefined && previous && matches(conditions.ifNoneMatch)) throw new WriteConditionFailed(412);
}

/**
 * Writes a new current version of a key. Given a transaction, it commits or fails with it, and
 * its caller runs the whole transaction in writingObject (store.ts), so that listings are forgotten
 * once it has committed.
 */
export async function writeObject(row: typeof s3Objects.$inferInsert, within?: Db, conditions: WriteConditions = {}): Promise<VersionOutcome> {
  // In the caller's transaction its statements run as they are (no savepoint): a failure fails the transaction.
  if (within) return writeObjectIn(within, row, conditions);
  const db = await getDb();
  return writingObject(row.bucket, row.key, () => db.transaction((tx) => writeObjectIn(tx, row, conditions)));
}

async function writeObjectIn(tx: Db, row: typeof s3Objects.$inferInsert, conditions: WriteConditions): Promise<VersionOutcome> {
  const firstVersion = conditions.ifMatch === undefined ? await insertFirstVersion(tx, row) : null;
  if (firstVersion) return firstVersion;
  const state = await lockKeyAndVersioning(tx, row.bucket, row.key);
  // S3 reports a version id for writes to an Enabled bucket only (a Suspended write makes "null").
  const versionId = state === "Enabled" ? newVersionId() : null;
  const current = { ...row, versionId, tags: row.tags ?? {}, lastModified: sql`now()` as unknown as Date };
  const previous = await currentRow(tx, row.bucket, row.key);
  // Conditional writes (S3's If-Match / If-None-Match on PUT) decide against what is there now.
  checkWriteConditions(previous, conditions);
  const removed: string[] = [];
  if (previous) {
    // Enabled keeps every version; Suspended keeps real versions but replaces the null one.
    if (state === "Enabled" || (state === "Suspended" && previous.versionId !== null)) await archive(tx, previous);
    else removed.push(previous.blob);
    await tx.delete(s3Objects).where(and(eq(s3Objects.bucket, row.bucket), eq(s3Objects.key, row.key)));
  }
  if (state === "Suspended") removed.push(...(await dropNullVersion(tx, row.bucket, row.key)));
  await tx.insert(s3Objects).values(current);
  return { removed, versionId, deleteMarker: false };
}

/**
 * Most writes make a key's first version (every protected query's result does): then one
 * statement is the whole write. It takes the key's lock and reads the bucket's versioning as its
 * row's values are computed, before the row is inserted; under the lock no other writer adds the
 * key meanwhile. Null, with nothing inserted, when the key has a current version (the lock is
 * held by then, as lockKeyAndVersioning would have taken it).
 */
async function insertFirstVersion(tx: Db, row: typeof s3Objects.$inferInsert): Promise<VersionOutcome | null> {
  const versioning = versioningOf(row.bucket);
  const [inserted] = await tx
    .insert(s3Objects)
    .values({
      ...row,
      bucket: sql`(SELECT ${row.bucket}::text FROM (SELECT ${keyLock(row.bucket, row.key)}) AS locked)` as unknown as string,
      // S3 reports a version id for writes to an Enabled bucket only (a Suspended write makes "null").
      versionId: sql`CASE ${versioning} WHEN 'Enabled' THEN ${newVersionId()} END` as unknown as string,
      tags: row.tags ?? {},
      lastModified: sql`now()` as unknown as Date,
    })
    .onConflictDoNothing()
    .returning({ versionId: s3Objects.versionId, versioning: sql<Versioning>`${versioning}` });
  if (!inserted) return null;
  // A Suspended write takes the "null" version: a noncurrent one of that id goes.
  const removed = inserted.versioning === "Suspended" ? await dropNullVersion(tx, row.bucket, row.key) : [];
  return { removed, versionId: inserted.versionId, deleteMarker: false };
}

/**
 * Deletes a key, or one version of it. Without a version id: in a versioned bucket a delete marker
 * becomes the latest version and the object's versions stay; otherwise the object goes. With one:
 * that version goes for good, and the newest remaining version becomes current again.
 */
export async function deleteObjectVersion(bucket: string, key: string, versionId?: string): Promise<VersionOutcome | "no such version"> {
  const db = await getDb();
  return writingObject(bucket, key, () =>
    db.transaction(async (tx) => {
      const state = await lockKeyAndVersioning(tx, bucket, key);
      const current = await currentRow(tx, bucket, key);
      const removeCurrent = () => tx.delete(s3Objects).where(and(eq(s3Objects.bucket, bucket), eq(s3Objects.key, key)));
      if (versionId === undefined) {
        const removed: string[] = [];
        if (current) {
          if (state === "Enabled" || (state === "Suspended" && current.versionId !== null)) await archive(tx, current);
          else removed.push(current.blob);
          await removeCurrent();
        }
        if (state === null) return { removed, versionId: null, deleteMarker: false };
        if (state === "Suspended") removed.push(...(await dropNullVersion(tx, bucket, key)));
        const markerId = state === "Enabled" ? newVersionId() : "null";
        await tx.insert(s3ObjectVersions).values({ bucket, key, versionId: markerId, isDeleteMarker: true, lastModified: new Date() });
        return { removed, versionId: markerId, deleteMarker: true };
      }
      if (current && (current.versionId ?? "null") === versionId) {
        await removeCurrent();
        await promoteNewest(tx, bucket, key);
        return { removed: [current.blob], versionId, deleteMarker: false };
      }
      const [gone] = await tx
        .delete(s3ObjectVersions)
        .where(and(eq(s3ObjectVersions.bucket, bucket), eq(s3ObjectVersions.key, key), eq(s3ObjectVersions.versionId, versionId)))
        .returning();
      if (!gone) return "no such version";
      await promoteNewest(tx, bucket, key);
      return { removed: gone.blob ? [gone.blob] : [], versionId, deleteMarker: gone.isDeleteMarker };
    }),
  );
}

/**
 * Replaces the tags of a key's current version, or of the version `versionId` names (current or
 * not), under the key's lock so that a concurrent overwrite cannot move the version away between
 * finding it and writing it. False if there is no such object or version (or it is a delete marker).
 */
export async function setObjectTags(bucket: string, key: string, tags: Record<string, string>, versionId?: string): Promise<boolean> {
  const db = await getDb();
  return writingObject(bucket, key, () =>
    db.transaction(async (tx) => {
      await lockKey(tx, bucket, key);
      const named = versionId === undefined ? undefined : sql`coalesce(${s3Objects.versionId}, 'null') = ${versionId}`;
      const current = await tx
        .update(s3Objects)
        .set({ tags })
        .where(and(eq(s3Objects.bucket, bucket), eq(s3Objects.key, key), named))
        .returning({ key: s3Objects.key });
      if (current.length === 1 || versionId === undefined) return current.length === 1;
      const older = await tx
        .update(s3ObjectVersions)
        .set({ tags })
        .where(and(eq(s3ObjectVersions.bucket, bucket), eq(s3ObjectVersions.key, key), eq(s3ObjectVersions.versionId, versionId), eq(s3ObjectVersions.isDeleteMarker, false)))
        .returning({ key: s3ObjectVersions.key });
      return older.length === 1;
    }),
  );
}

export type FoundVersion = (ObjectRow & { isDeleteMarker: false }) | (VersionRow & { isDeleteMarker: boolean });

/** One version of a key by id: the current row if it has that id, else a noncurrent one. */
export async function findVersion(bucket: string, key: string, versionId: string): Promise<FoundVersion | undefined> {
  const db = await getDb();
  const [current] = await db
    .select()
    .from(s3Objects)
    .where(and(eq(s3Objects.bucket, bucket), eq(s3Objects.key, key)));
  if (current && (current.versionId ?? "null") === versionId) return { ...current, isDeleteMarker: false };
  const [row] = await db
    .select()
    .from(s3ObjectVersions)
    .where(and(eq(s3ObjectVersions.bucket, bucket), eq(s3ObjectVersions.key, key), eq(s3ObjectVersions.versionId, versionId)));
  return row;
}

/** The newest noncurrent entry of a key, when it has no current version (a delete marker, then). */
export async function latestMarker(bucket: string, key: string): Promise<VersionRow | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(s3ObjectVersions)
    .where(and(eq(s3ObjectVersions.bucket, bucket), eq(s3ObjectVersions.key, key)))
    .orderBy(desc(s3ObjectVersions.sequence))
    .limit(1);
  return row?.isDeleteMarker ? row : undefined;
}

export interface ListedVersion {
  key: string;
  versionId: string;
  isDeleteMarker: boolean;
  isLatest: boolean;
  etag: string | null;
  size: number;
  lastModified: Date;
}

/** Where a version listing resumes: after this key, or after this version of it. */
export interface VersionCursor {
  key: string;
  versionId: string | null;
}

/**
 * Versions of the keys under `prefix`, in key order (bytewise) and newest first within a key,
 * after `after`, paged in SQL. A key's current version comes first and is its latest; a key
 * without one has its newest noncurrent entry (a delete marker) as its latest. A cursor's version
 * id that is not (or no longer) the key's resumes after the whole key.
 */
export async function listVersionRows(bucket: string, prefix: string, after: VersionCursor | null, limit: number): Promise<ListedVersion[]> {
  const db = await getDb();
  // The cursor as a place in the order: the key, and below which sequence its noncurrent versions resume.
  let currentAfter = sql``;
  let versionsAfter = sql``;
  if (after) {
    const version = after.versionId === null ? undefined : await findVersion(bucket, after.key, after.versionId);
    // After the current version come all noncurrent ones; after a noncurrent one, the older ones.
    const below = version === undefined ? 0 : "sequence" in version ? version.sequence : Number.MAX_SAFE_INTEGER;
    currentAfter = sql`AND key COLLATE "C" > ${after.key}`;
    versionsAfter = sql`AND (v.key COLLATE "C" > ${after.key} OR (v.key = ${after.key} AND v.sequence < ${below}))`;
  }
  const result = (await db.execute(sql`
    SELECT key, version_id, is_delete_marker, etag, size, last_modified, is_latest FROM (
      SELECT key, coalesce(version_id, 'null') AS version_id, false AS is_delete_marker, etag, size, last_modified, true AS is_latest, 0 AS grp, 0::bigint AS seq
        FROM local_cloud.s3_objects WHERE bucket = ${bucket} AND starts_with(key, ${prefix}) ${currentAfter}
      UNION ALL
      SELECT v.key, v.version_id, v.is_delete_marker, v.etag, v.size, v.last_modified,
          NOT EXISTS (SELECT 1 FROM local_cloud.s3_objects o WHERE o.bucket = v.bucket AND o.key = v.key)
            AND v.sequence = (SELECT max(w.sequence) FROM local_cloud.s3_object_versions w WHERE w.bucket = v.bucket AND w.key = v.key),
          1, v.sequence
        FROM local_cloud.s3_object_versions v WHERE v.bucket = ${bucket} AND starts_with(v.key, ${prefix}) ${versionsAfter}
    ) listed
    ORDER BY key COLLATE "C", grp, seq DESC
    LIMIT ${limit}`)) as unknown as { rows: Record<string, unknown>[] } | Record<string, unknown>[];
  return (Array.isArray(result) ? result : result.rows).map((r) => ({
    key: String(r.key),
    versionId: String(r.version_id),
    isDeleteMarker: r.is_delete_marker === true,
    isLatest: r.is_latest === true,
    etag: (r.etag as string | null) ?? null,
    size: Number(r.size),
    lastModified: new Date(r.last_modified as string),
  }));
}
