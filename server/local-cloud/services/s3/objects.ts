import fs from "node:fs";
import { CloudError } from "../../errors";
import { parseXml } from "../../protocols/xml";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { readBody } from "../../body";
import { blobPath, commitBlob, commitOrDiscard, newTempPath, removeBlob, removeTemp } from "./blobs";
import { checksumHeader, checksumXmlName } from "./checksums";
import { accessDenied, metadataHeader, conditionally, httpDate, isoDate, objectHeadersFromRequest, ownedBucket, quoteEtag, writeConditionsOf, type S3Request } from "./context";
import { validateObjectKey } from "./names";
import { refuseAclHeaders } from "./acl";
import { receiveBody } from "./receive";
import { tagsFromHeader } from "./tagging";
import { findBucket, findObject, type StoredObject } from "./store";
import { deleteObjectVersion, findVersion, isVersionId, latestMarker, writeObject } from "./versions";

type KeyRequest = S3Request & { bucket: string; key: string };

const noSuchKey = (key: string) => new CloudError(404, "NoSuchKey", "The specified key does not exist.", { Key: key });

export async function putObject(request: KeyRequest): Promise<XmlAnswer> {
  const { ctx, caller, bucket, key, payloadHash } = request;
  await ownedBucket(bucket, caller);
  validateObjectKey(key);
  refuseAclHeaders(ctx.req.headers, "object");
  const tags = tagsFromHeader(ctx.req.headers["x-amz-tagging"]);
  const received = await receiveBody(ctx, payloadHash);
  const blob = await commitOrDiscard(received.tempPath);
  const etag = received.md5.toString("hex");
  const { contentType, headers, metadata } = objectHeadersFromRequest(ctx);
  const written = await conditionally(
    blob,
    () => writeObject({ bucket, key, blob, size: received.size, etag, contentType, headers, metadata, checksum: received.checksum, partsCount: null, tags }, undefined, writeConditionsOf(ctx)),
    removeBlob,
    key,
  );
  for (const gone of written.removed) await removeBlob(gone);
  const responseHeaders: Record<string, string> = {
    ETag: quoteEtag(etag),
    "x-amz-server-side-encryption": "AES256",
    ...(written.versionId ? { "x-amz-version-id": written.versionId } : {}),
  };
  if (received.checksum) responseHeaders[checksumHeader(received.checksum.algorithm)] = received.checksum.value;
  return { headers: responseHeaders };
}

function objectResponseHeaders(object: StoredObject, withChecksum: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": object.contentType,
    ETag: quoteEtag(object.etag),
    "Last-Modified": httpDate(object.lastModified),
    "Accept-Ranges": "bytes",
    "x-amz-server-side-encryption": "AES256",
    ...object.headers,
  };
  for (const [name, value] of Object.entries(object.metadata)) headers[`x-amz-meta-${name}`] = metadataHeader(value);
  if (withChecksum && object.checksum) {
    headers[checksumHeader(object.checksum.algorithm)] = object.checksum.value + (object.partsCount ? `-${object.partsCount}` : "");
    if (object.partsCount) headers["x-amz-checksum-type"] = "COMPOSITE";
  }
  if (object.partsCount) headers["x-amz-mp-parts-count"] = String(object.partsCount);
  const tagCount = Object.keys(object.tags).length;
  if (tagCount) headers["x-amz-tagging-count"] = String(tagCount);
  return headers;
}

/** If-Match / If-None-Match / If-(Un)Modified-Since, as S3 evaluates them. */
function checkConditions(request: KeyRequest, object: StoredObject): number | null {
  const h = request.ctx.req.headers;
  const etag = quoteEtag(object.etag);
  const modified = new Date(object.lastModified).getTime();
  const matches = (list: string) => list.split(",").some((t) => t.trim() === "*" || t.trim() === etag || t.trim() === object.etag);
  if (h["if-match"] && !matches(h["if-match"])) return 412;
  if (!h["if-match"] && h["if-unmodified-since"] && modified > Date.parse(h["if-unmodified-since"]) + 999) return 412;
  if (h["if-none-match"] && matches(h["if-none-match"])) return 304;
  if (!h["if-none-match"] && h["if-modified-since"] && modified <= Date.parse(h["if-modified-since"]) + 999) return 304;
  return null;
}

function parseRange(header: string, size: number): { start: number; end: number } | "invalid" | null {
  const m = header.match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === "" && m[2] === "")) return null; // S3 ignores ranges it cannot parse
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "invalid";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "invalid";
  return { start, end };
}

/** The bytes of one part of a multipart object (`?partNumber=`); the whole of any other object is its part 1. */
function partRange(text: string, object: StoredObject, rangeHeader: string | undefined): { start: number; end: number } | null {
  if (rangeHeader) throw new CloudError(400, "InvalidRequest", "Cannot specify both Range header and partNumber query parameter");
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 10000) throw new CloudError(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", { ArgumentName: "partNumber" });
  const sizes = object.partSizes ?? [object.size];
  if (n > sizes.length) throw new CloudError(400, "InvalidPart", "The requested partnumber is not satisfiable", { PartNumberRequested: n, ActualPartCount: sizes.length });
  if (!object.partSizes) return null;
  const start = sizes.slice(0, n - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + sizes[n - 1]! - 1 };
}

/**
 * The version a read names: by `versionId`, or the current one. A delete marker is not an object:
 * by id it answers 405, as the latest version it makes the key answer NoSuchKey.
 */
export async function versionToRead(request: KeyRequest, versioned: boolean): Promise<StoredObject> {
  const { bucket, key, ctx } = request;
  const versionId = ctx.query.get("versionId");
  if (versionId !== undefined) {
    const found = await findVersion(bucket, key, versionId);
    if (!found) throw new CloudError(404, "NoSuchVersion", "The specified version does not exist.", { Key: key, VersionId: versionId });
    if (found.isDeleteMarker) {
      const extra = { Method: ctx.req.method, ResourceType: "DeleteMarker" };
      throw new CloudError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.", extra, { "x-amz-delete-marker": "true", "x-amz-version-id": versionId });
    }
    return { ...(found as StoredObject), versionId: versionId === "null" ? null : versionId };
  }
  const object = await findObject(bucket, key);
  if (object) return object;
  const marker = versioned ? await latestMarker(bucket, key) : undefined;
  if (!marker) throw new CloudError(404, "NoSuchKey", "The specified key does not exist.", { Key: key }, { "x-amz-delete-marker": "false" });
  throw new CloudError(404, "NoSuchKey", "The specified key does not exist.", { Key: key }, { "x-amz-delete-marker": "true", "x-amz-version-id": marker.versionId });
}

/**
 * Headers that keep a stored object inert in a browser. The local cloud shares its host with the
 * console (browsers treat ports of one host as one site, cookies included), so a member's object
 * must never run as a page there, whatever Content-Type it was stored or asked for with, and
 * whoever signed the URL: it is sandboxed (no script, no plugin, an opaque origin that can read
 * or set no cookie) and never sniffed. Neither header is part of S3's model, so SDKs see the
 * object's own fields (Content-Disposition included) exactly as stored.
 */
const INERT_CONTENT = { "Content-Security-Policy": "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:", "X-Content-Type-Options": "nosniff" };

export async function getObject(request: KeyRequest, head: boolean): Promise<XmlAnswer> {
  const { ctx, caller, bucket } = request;
  const owned = await ownedBucket(bucket, caller);
  const object = await versionToRead(request, owned.versioning !== null);
  const version: Record<string, string> = owned.versioning !== null ? { "x-amz-version-id": object.versionId ?? "null" } : {};
  const condition = checkConditions(request, object);
  if (condition === 412) throw new CloudError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: "If-Match" }, version);
  if (condition === 304) return { status: 304, headers: { ...version, ETag: quoteEtag(object.etag), "Last-Modified": httpDate(object.lastModified) } };
  const rangeHeader = ctx.req.headers.range;
  const range = ctx.query.has("partNumber") ? partRange(ctx.query.get("partNumber")!, object, rangeHeader) : rangeHeader ? parseRange(rangeHeader, object.size) : null;
  if (range === "invalid") {
    throw new CloudError(416, "InvalidRange", "The requested range is not satisfiable", { ActualObjectSize: object.size, RangeRequested: rangeHeader });
  }
  const wantsChecksum = ctx.req.headers["x-amz-checksum-mode"] === "ENABLED" && !range;
  const headers = { ...version, ...objectResponseHeaders(object, wantsChecksum) };
  for (const [param, header] of [
    ["response-content-type", "Content-Type"],
    ["response-content-disposition", "Content-Disposition"],
    ["response-cache-control", "Cache-Control"],
    ["response-content-encoding", "Content-Encoding"],
    ["response-content-language", "Content-Language"],
    ["response-expires", "Expires"],
  ] as const) {
    const value = ctx.query.get(param);
    if (value) headers[header] = value;
  }
  Object.assign(headers, INERT_CONTENT);
  const start = range ? range.start : 0;
  const end = range ? range.end : object.size - 1;
  headers["Content-Length"] = String(Math.max(0, end - start + 1));
  if (range) headers["Content-Range"] = `bytes ${start}-${end}/${object.size}`;
  // Open before answering: the blob stays readable even if a newer PutObject replaces it meanwhile.
  const handle = head || object.size === 0 ? null : await fs.promises.open(blobPath(object.blob), "r");
  return { status: range ? 206 : 200, headers, ...(handle ? { file: { handle, start, end } } : {}) };
}

export async function deleteObject({ ctx, caller, bucket, key }: KeyRequest): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  const versionId = ctx.query.get("versionId");
  const outcome = await deleteObjectVersion(bucket, key, versionId);
  if (outcome === "no such version") {
    // Deleting a version that is already gone succeeds, as on S3 (two deletes may race); an id
    // this store could never have made is refused.
    if (!isVersionId(versionId!)) throw new CloudError(400, "InvalidArgument", "Invalid version id specified", { ArgumentName: "versionId", ArgumentValue: versionId });
    return { status: 204, headers: { "x-amz-version-id": versionId! } };
  }
  for (const gone of outcome.removed) await removeBlob(gone);
  return { status: 204, headers: { ...(outcome.versionId ? { "x-amz-version-id": outcome.versionId } : {}), ...(outcome.deleteMarker ? { "x-amz-delete-marker": "true" } : {}) } };
}

export async function deleteObjects({ ctx, caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  const text = (await readBody(ctx.req, 2 * 1024 * 1024)).toString("utf8");
  const parsed = parseXml(text, { exact: true }).Delete as Record<string, unknown> | undefined;
  if (!parsed || typeof parsed !== "object") throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
  const objects = ([] as unknown[]).concat(parsed.Object ?? []) as { Key?: unknown; VersionId?: unknown }[];
  if (objects.length === 0 || objects.length > 1000) {
    throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: between 1 and 1000 objects per request.");
  }
  const quiet = String(parsed.Quiet ?? "").trim() === "true";
  const deleted: Record<string, unknown>[] = [];
  const errors: { Key: string; Code: string; Message: string }[] = [];
  for (const object of objects) {
    const key = typeof object.Key === "string" ? object.Key : String(object.Key ?? "");
    if (!key) {
      errors.push({ Key: key, Code: "InvalidArgument", Message: "An object key must not be empty." });
      continue;
    }
    const versionId = object.VersionId === undefined ? undefined : String(object.VersionId);
    const outcome = await deleteObjectVersion(bucket, key, versionId);
    if (outcome === "no such version") {
      if (isVersionId(versionId!)) deleted.push({ Key: key, VersionId: versionId });
      else errors.push({ Key: key, Code: "NoSuchVersion", Message: "The specified version does not exist." });
      continue;
    }
    for (const gone of outcome.removed) await removeBlob(gone);
    deleted.push({
      Key: key,
      ...(versionId !== undefined ? { VersionId: versionId } : {}),
      ...(outcome.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: outcome.versionId } : {}),
    });
  }
  return { xml: { root: "DeleteResult", body: { ...(quiet ? {} : { Deleted: deleted }), Error: errors } } };
}

export function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  const versionId = /[?&]versionId=([^&]*)/.exec(value)?.[1];
  let decoded: string;
  try {
    decoded = decodeURIComponent(value.split("?")[0]!);
  } catch {
    throw new CloudError(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
  }
  const path = decoded.startsWith("/") ? decoded.slice(1) : decoded;
  const slash = path.indexOf("/");
  if (slash <= 0 || slash === path.length - 1) {
    throw new CloudError(400, "InvalidArgument", "Copy Source must mention the source bucket and key: sourcebucket/sourcekey.");
  }
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), ...(versionId !== undefined ? { versionId: decodeURIComponent(versionId) } : {}) };
}

/** x-amz-copy-source-if-*: a copy happens only when its source meets them, as S3 decides. */
function checkCopySourceConditions(headers: Record<string, string | string[] | undefined>, object: StoredObject): void {
  const get = (name: string) => headers[`x-amz-copy-source-${name}`] as string | undefined;
  const etag = quoteEtag(object.etag);
  const matches = (list: string) => list.split(",").some((t) => t.trim() === "*" || t.trim() === etag || t.trim() === object.etag);
  const modified = new Date(object.lastModified).getTime();
  const ifMatch = get("if-match");
  const ifNoneMatch = get("if-none-match");
  const failed =
    (ifMatch !== undefined && !matches(ifMatch)) ||
    (ifNoneMatch !== undefined && matches(ifNoneMatch)) ||
    (ifMatch === undefined && get("if-unmodified-since") !== undefined && modified > Date.parse(get("if-unmodified-since")!) + 999) ||
    (ifNoneMatch === undefined && get("if-modified-since") !== undefined && modified <= Date.parse(get("if-modified-since")!) + 999);
  if (failed) throw new CloudError(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { Condition: "x-amz-copy-source-If-Match" });
}

/** The object a copy reads: the source's current version, or the version its `?versionId=` names. */
export async function copySourceObject(source: { bucket: string; key: string; versionId?: string }): Promise<StoredObject> {
  if (source.versionId === undefined) {
    const object = await findObject(source.bucket, source.key);
    if (!object) throw noSuchKey(source.key);
    return object;
  }
  const found = await findVersion(source.bucket, source.key, source.versionId);
  if (!found) throw new CloudError(404, "NoSuchVersion", "The specified version does not exist.", { Key: source.key, VersionId: source.versionId });
  if (found.isDeleteMarker) throw new CloudError(400, "InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.");
  return found as StoredObject;
}

export async function copyObject(request: KeyRequest, copySource: string): Promise<XmlAnswer> {
  const { ctx, caller, bucket, key } = request;
  await ownedBucket(bucket, caller);
  validateObjectKey(key);
  refuseAclHeaders(ctx.req.headers, "object");
  const source = parseCopySource(copySource);
  const sourceBucket = await findBucket(source.bucket);
  if (!sourceBucket) throw new CloudError(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: source.bucket });
  if (sourceBucket.accountId !== caller.accountId) throw accessDenied();
  const object = await copySourceObject(source);
  checkCopySourceConditions(ctx.req.headers, object);
  const replace = ctx.req.headers["x-amz-metadata-directive"] === "REPLACE";
  // Tags are copied unless the request replaces them (x-amz-tagging-directive: REPLACE).
  const tags = ctx.req.headers["x-amz-tagging-directive"] === "REPLACE" ? tagsFromHeader(ctx.req.headers["x-amz-tagging"]) : object.tags;
  if (!replace && source.bucket === bucket && source.key === key) {
    throw new CloudError(
      400,
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const temp = newTempPath();
  let blob: string;
  try {
    await fs.promises.copyFile(blobPath(object.blob), temp);
    blob = await commitBlob(temp);
  } catch (error) {
    await removeTemp(temp);
    throw error;
  }
  const fromRequest = objectHeadersFromRequest(ctx);
  const written = await writeObject({
    bucket,
    key,
    blob,
    size: object.size,
    etag: object.etag,
    contentType: replace ? fromRequest.contentType : object.contentType,
    headers: replace ? fromRequest.headers : object.headers,
    metadata: replace ? fromRequest.metadata : object.metadata,
    checksum: object.checksum,
    partsCount: object.partsCount,
    tags,
  });
  for (const gone of written.removed) await removeBlob(gone);
  const copied = await findObject(bucket, key);
  const result: Record<string, unknown> = { ETag: quoteEtag(object.etag), LastModified: isoDate(copied!.lastModified) };
  if (object.checksum && !object.partsCount) result[checksumXmlName(object.checksum.algorithm)] = object.checksum.value;
  const responseHeaders: Record<string, string> = {};
  if (written.versionId) responseHeaders["x-amz-version-id"] = written.versionId;
  if (source.versionId !== undefined) responseHeaders["x-amz-copy-source-version-id"] = source.versionId;
  return { xml: { root: "CopyObjectResult", body: result }, headers: responseHeaders };
}

/** GetObjectAttributes: the attributes named in x-amz-object-attributes, without the body. */
export async function getObjectAttributes(request: KeyRequest): Promise<XmlAnswer> {
  const { ctx, caller, bucket } = request;
  const owned = await ownedBucket(bucket, caller);
  const object = await versionToRead(request, owned.versioning !== null);
  const wanted = new Set(
    String(ctx.req.headers["x-amz-object-attributes"] ?? "")
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean),
  );
  if (!wanted.size)
    throw new CloudError(400, "InvalidArgument", "x-amz-object-attributes must name at least one of ETag, Checksum, ObjectParts, StorageClass, ObjectSize.", {
      ArgumentName: "x-amz-object-attributes",
    });
  const body: Record<string, unknown> = {};
  if (wanted.has("ETag")) body.ETag = object.etag;
  if (wanted.has("Checksum") && object.checksum) body.Checksum = { [checksumXmlName(object.checksum.algorithm)]: object.checksum.value, ChecksumType: object.partsCount ? "COMPOSITE" : "FULL_OBJECT" };
  if (wanted.has("ObjectParts") && object.partSizes) body.ObjectParts = objectParts(object.partSizes, ctx.req.headers);
  if (wanted.has("StorageClass")) body.StorageClass = "STANDARD";
  if (wanted.has("ObjectSize")) body.ObjectSize = object.size;
  const version: Record<string, string> = owned.versioning !== null ? { "x-amz-version-id": object.versionId ?? "null" } : {};
  return { xml: { root: "GetObjectAttributesResponse", body }, headers: { ...version, "Last-Modified": httpDate(object.lastModified) } };
}

/** The parts of a multipart object, a page at a time (x-amz-max-parts after x-amz-part-number-marker). */
function objectParts(sizes: number[], headers: Record<string, string | string[] | undefined>) {
  const whole = (name: string, fallback: number) => {
    const text = headers[name];
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new CloudError(400, "InvalidArgument", `${name} must be a whole number.`, { ArgumentName: name });
    return n;
  };
  const maxParts = Math.min(whole("x-amz-max-parts", 1000), 1000);
  const marker = whole("x-amz-part-number-marker", 0);
  const page = sizes.map((size, i) => ({ PartNumber: i + 1, Size: size })).slice(marker, marker + maxParts);
  const truncated = marker + maxParts < sizes.length;
  return {
    PartsCount: sizes.length, // TotalPartsCount in the SDKs
    PartNumberMarker: marker,
    ...(truncated ? { NextPartNumberMarker: page.at(-1)?.PartNumber ?? marker } : {}),
    MaxParts: maxParts,
    IsTruncated: truncated,
    Part: page,
  };
}
