import { CloudError, notImplemented } from "../../errors";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { isoDate, ownedBucket, quoteEtag, type S3Request } from "./context";
import { listObjectRows, type StoredObject } from "./store";
import { listVersionRows } from "./versions";

interface Page {
  contents: StoredObject[];
  commonPrefixes: string[];
  truncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last: string | null;
}

/**
 * Walks keys in byte order after `after`, folding keys that share a prefix up to the delimiter
 * into one common prefix, until `maxKeys` entries (objects plus prefixes) are collected.
 */
async function listPage(bucket: string, prefix: string, delimiter: string, after: string | null, maxKeys: number): Promise<Page> {
  const page: Page = { contents: [], commonPrefixes: [], truncated: false, last: null };
  if (maxKeys === 0) return page; // S3 answers max-keys=0 with an empty, untruncated listing
  let cursor = after;
  while (true) {
    const rows = await listObjectRows(bucket, prefix, cursor, 1000);
    for (const row of rows) {
      cursor = row.key;
      const rest = row.key.slice(prefix.length);
      const cut = delimiter ? rest.indexOf(delimiter) : -1;
      const common = cut === -1 ? null : prefix + rest.slice(0, cut + delimiter.length);
      if (common !== null && common === page.commonPrefixes.at(-1)) continue;
      if (common !== null && after !== null && common <= after) continue; // folded into an earlier page
      if (page.contents.length + page.commonPrefixes.length >= maxKeys) {
        page.truncated = true;
        return page;
      }
      if (common !== null) page.commonPrefixes.push(common);
      else page.contents.push(row);
      page.last = common ?? row.key;
      // Skip the rest of a common prefix at once: its keys all start with it.
      if (common !== null) cursor = common + "\u{10FFFF}";
    }
    if (rows.length < 1000) return page;
  }
}

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
  const tail = (page: Page, owner: string | null) => ({
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
  const page = await listPage(bucket, prefix, delimiter, after, maxKeys);
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
  const page = await listPage(bucket, prefix, delimiter, marker || null, maxKeys);
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
  if (q.get("delimiter")) throw notImplemented("ListObjectVersions with a delimiter");
  const prefix = q.get("prefix") ?? "";
  const maxKeys = maxKeysOf(q.get("max-keys"));
  const encode = encoder(q.get("encoding-type"));
  const keyMarker = q.get("key-marker") ?? "";
  const versionIdMarker = q.get("version-id-marker") || null;
  const rows = maxKeys === 0 ? [] : await listVersionRows(bucket, prefix, keyMarker ? { key: keyMarker, versionId: versionIdMarker } : null, maxKeys);
  const page = rows.slice(0, maxKeys);
  const truncated = rows.length > maxKeys;
  const owner = { ID: caller.accountId, DisplayName: caller.accountId };
  const entry = (r: (typeof page)[number]) => ({ Key: encode(r.key), VersionId: r.versionId, IsLatest: r.isLatest, LastModified: isoDate(r.lastModified) });
  const body: Record<string, unknown> = {
    Name: bucket,
    Prefix: encode(prefix),
    KeyMarker: encode(keyMarker),
    VersionIdMarker: versionIdMarker ?? "",
    ...(truncated ? { NextKeyMarker: encode(page.at(-1)!.key), NextVersionIdMarker: page.at(-1)!.versionId } : {}),
    MaxKeys: maxKeys,
    IsTruncated: truncated,
    ...(q.has("encoding-type") ? { EncodingType: "url" } : {}),
    Version: page.filter((r) => !r.isDeleteMarker).map((r) => ({ ...entry(r), ETag: quoteEtag(r.etag ?? ""), Size: r.size, StorageClass: "STANDARD", Owner: owner })),
    DeleteMarker: page.filter((r) => r.isDeleteMarker).map((r) => ({ ...entry(r), Owner: owner })),
  };
  return { xml: { root: "ListVersionsResult", body } };
}
