import { CloudError } from "../../errors";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { isoDate, ownedBucket, quoteEtag, type S3Request } from "./context";
import { listObjectRows, type StoredObject } from "./store";
import { listVersionRows, type ListedVersion, type VersionCursor } from "./versions";

interface Page<R> {
  contents: R[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last: string | null;
  /** The last row returned, when the page ends with a row rather than a common prefix. */
  lastRow: R | null;
}

/** A listing's rows in key order, a batch at a time, resuming after a cursor. */
interface Walk<R, C> {
  rows(after: C | null): Promise<R[]>;
  cursorAt(row: R): C;
  /** The cursor past every key that starts with a common prefix. */
  past(commonPrefix: string): C;
}

const BATCH = 1000;

/**
 * Walks rows in key order after `after`, folding keys that share a prefix up to the delimiter
 * into one common prefix, until `maxKeys` entries (rows plus prefixes) are collected. Objects
 * and versions are listed alike; only how rows are read and resumed differs.
 */
async function listPage<R extends { key: string }, C>(walk: Walk<R, C>, prefix: string, delimiter: string, after: C | null, afterKey: string | null, maxKeys: number): Promise<Page<R>> {
  const page: Page<R> = { contents: [], commonPrefixes: [], truncated: false, last: null, lastRow: null };
  if (maxKeys === 0) return page; // S3 answers max-keys=0 with an empty, untruncated listing
  let cursor = after;
  while (true) {
    const rows = await walk.rows(cursor);
    for (const row of rows) {
      cursor = walk.cursorAt(row);
      const rest = row.key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      const common = cut === -1 ? null : prefix + rest.slice(0, cut + delimiter.length);
      if (common !== null && common === page.commonPrefixes.at(-1)) continue;
      if (common !== null && afterKey !== null && common <= afterKey) continue; // folded into an earlier page
      if (page.contents.length + page.commonPrefixes.length >= maxKeys) {
        page.truncated = true;
        return page;
      }
      if (common !== null) page.commonPrefixes.push(common);
      else page.contents.push(row);
      page.last = common ?? row.key;
      page.lastRow = common === null ? row : null;
      // Skip the rest of a common prefix at once: its keys all start with it.
      if (common !== null) cursor = walk.past(common);
    }
    if (rows.length < BATCH) return page;
  }
}

const objectWalk = (bucket: string, prefix: string): Walk<StoredObject, string> => ({
  rows: (after) => listObjectRows(bucket, prefix, after, BATCH),
  cursorAt: (row) => row.key,
  past: (common) => common + "\u{10FFFF}",
});

const versionWalk = (bucket: string, prefix: string): Walk<ListedVersion, VersionCursor> => ({
  rows: (after) => listVersionRows(bucket, prefix, after, BATCH),
  cursorAt: (row) => ({ key: row.key, versionId: row.versionId }),
  past: (common) => ({ key: common + "\u{10FFFF}", versionId: null }),
});

function encoder(encodingType: string | undefined) {
  if (encodingType === undefined) return (s: string) => s;
  if (encodingType !== "url") throw new CloudError(400, "InvalidArgument", "Invalid Encoding Method specified in Request");
  return (s: string) => encodeURIComponent(s).replace(/%2F/g, "/");
}

function maxKeysOf(value: string | undefined): number {
  if (value === undefined) return 1000;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new CloudError(400, "InvalidArgument", "Provided max-keys not an integer or within integer range");
  return Math.min(n, 1000);
}

function contentsOf(objects: StoredObject[], encode: (s: string) => string, owner: string | null) {
  return objects.map((o) => ({
    Key: encode(o.key),
    LastModified: isoDate(o.lastModified),
    ETag: quoteEtag(o.etag),
    ...(o.checksum ? { ChecksumAlgorithm: o.checksum.algorithm } : {}),
    Size: o.size,
    StorageClass: "STANDARD",
    ...(owner ? { Owner: { ID: owner, DisplayName: owner } } : {}),
  }));
}

/** What both list versions read from the query string, and the parts of the answer they share. */
function listing(q: Map<string, string>) {
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const maxKeys = maxKeysOf(q.get("max-keys"));
  const encode = encoder(q.get("encoding-type"));
  // ListObjects (v1) answers its Prefix as given; v2 url-encodes it with the keys (clients decode both so).
  const common = (bucket: string, encodePrefix = true) => ({
    Name: bucket,
    Prefix: encodePrefix ? encode(prefix) : prefix,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    MaxKeys: maxKeys,
  });
  const tail = (page: Page<StoredObject>, owner: string | null) => ({
    ...(q.has("encoding-type") ? { EncodingType: "url" } : {}),
    Contents: contentsOf(page.contents, encode, owner),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  });
  return { prefix, delimiter, maxKeys, encode, common, tail };
}

export async function listObjectsV2({ ctx, caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  const q = ctx.query;
  const { prefix, delimiter, maxKeys, encode, common, tail } = listing(q);
  const token = q.get("continuation-token") || undefined;
  let after = q.get("start-after") ?? null;
  if (token !== undefined) {
    const decoded = Buffer.from(token, "base64url").toString("utf8");
    if (!decoded.startsWith("k:")) throw new CloudError(400, "InvalidArgument", "The continuation token provided is incorrect");
    after = decoded.slice(2);
  }
  const page = await listPage(objectWalk(bucket, prefix), prefix, delimiter, after, after, maxKeys);
  const body: Record<string, unknown> = {
    ...common(bucket),
    KeyCount: page.contents.length + page.commonPrefixes.length,
    IsTruncated: page.truncated,
    ...(q.has("continuation-token") ? { ContinuationToken: q.get("continuation-token") } : {}),
    ...(q.has("start-after") ? { StartAfter: encode(q.get("start-after")!) } : {}),
    ...(page.truncated && page.last !== null ? { NextContinuationToken: Buffer.from(`k:${page.last}`).toString("base64url") } : {}),
    ...tail(page, q.get("fetch-owner") === "true" ? caller.accountId : null),
  };
  return { xml: { root: "ListBucketResult", body } };
}

export async function listObjectsV1({ ctx, caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  const q = ctx.query;
  const { prefix, delimiter, maxKeys, encode, common, tail } = listing(q);
  const marker = q.get("marker") ?? "";
  const page = await listPage(objectWalk(bucket, prefix), prefix, delimiter, marker || null, marker || null, maxKeys);
  const body: Record<string, unknown> = {
    ...common(bucket, false),
    Marker: encode(marker),
    IsTruncated: page.truncated,
    ...(page.truncated && delimiter && page.last !== null ? { NextMarker: encode(page.last) } : {}),
    ...tail(page, caller.accountId),
  };
  return { xml: { root: "ListBucketResult", body } };
}

/** ListObjectVersions: every version and delete marker, by key, newest first within a key. */
export async function listObjectVersions({ ctx, caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  const q = ctx.query;
  const { prefix, delimiter, maxKeys, encode } = listing(q);
  const keyMarker = q.get("key-marker") ?? "";
  const versionIdMarker = q.get("version-id-marker") || null;
  const after = keyMarker ? { key: keyMarker, versionId: versionIdMarker } : null;
  const page = await listPage(versionWalk(bucket, prefix), prefix, delimiter, after, keyMarker || null, maxKeys);
  const owner = { ID: caller.accountId, DisplayName: caller.accountId };
  const entry = (r: ListedVersion) => ({ Key: encode(r.key), VersionId: r.versionId, IsLatest: r.isLatest, LastModified: isoDate(r.lastModified) });
  const body: Record<string, unknown> = {
    Name: bucket,
    Prefix: encode(prefix),
    KeyMarker: encode(keyMarker),
    VersionIdMarker: versionIdMarker ?? "",
    // A page that ends on a common prefix resumes after the whole prefix, so it names no version.
    ...(page.truncated && page.last !== null ? { NextKeyMarker: encode(page.last), ...(page.lastRow ? { NextVersionIdMarker: page.lastRow.versionId } : {}) } : {}),
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: encode(delimiter) } : {}),
    IsTruncated: page.truncated,
    ...(q.has("encoding-type") ? { EncodingType: "url" } : {}),
    Version: page.contents.filter((r) => !r.isDeleteMarker).map((r) => ({ ...entry(r), ETag: quoteEtag(r.etag ?? ""), Size: r.size, StorageClass: "STANDARD", Owner: owner })),
    DeleteMarker: page.contents.filter((r) => r.isDeleteMarker).map((r) => ({ ...entry(r), Owner: owner })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
  return { xml: { root: "ListVersionsResult", body } };
}
