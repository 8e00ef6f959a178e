import fs from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { CloudError } from "../../errors";
import { parseXml } from "../../protocols/xml";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { readBody } from "../../body";
import { blobPath, commitBlob, commitOrDiscard, concatenateFiles, newEmptyBlob, newTempPath, removeBlob, removeTemp } from "./blobs";
import { checksumHeader, checksummer, checksumXmlName, parseAlgorithm, type ChecksumAlgorithm } from "./checksums";
import { conditionally, objectHeadersFromRequest, ownedBucket, quoteEtag, writeConditionsOf, type S3Request } from "./context";
import { validateObjectKey } from "./names";
import { refuseAclHeaders } from "./acl";
import { declaredBodyLength, receiveBody, type ReceivedBody } from "./receive";
import { tagsFromHeader } from "./tagging";
import { writeObject } from "./versions";
import { copySourceObject, parseCopySource } from "./objects";
import {
  abandonedUploadIds,
  claimAssemblyPlace,
  deleteUploadRows,
  findObject,
  findUpload,
  insertUpload,
  listPartRows,
  listUploadRows,
  putPartRow,
  sealAssembly,
  type MultipartPart,
  type MultipartUpload,
  type SealedAssembly,
} from "./store";

// A part is written straight into the upload's assembly, one file for the whole object, at its
// place: (part number - 1) times the first part's size, which is where it will be if every part
// but the last has that size (as the SDKs and the CLI send them). Complete then makes that file
// the object's blob without copying a byte; otherwise (other sizes, gaps, a part sent again) it
// copies the parts out as before. A gigabyte is written once instead of twice, and Complete takes
// milliseconds instead of the copy's half second to seconds (docs/benchmarks.md).

type KeyRequest = S3Request & { bucket: string; key: string };
const MIN_PART_BYTES = 5 * 1024 * 1024;

async function ownedUpload(request: KeyRequest, uploadId: string): Promise<MultipartUpload> {
  await ownedBucket(request.bucket, request.caller);
  const upload = await findUpload(uploadId);
  if (!upload || upload.bucket !== request.bucket || upload.key !== request.key) {
    throw new CloudError(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", { UploadId: uploadId });
  }
  return upload;
}

export async function createMultipartUpload(request: KeyRequest): Promise<XmlAnswer> {
  const { ctx, caller, bucket, key } = request;
  await ownedBucket(bucket, caller);
  validateObjectKey(key);
  refuseAclHeaders(ctx.req.headers, "object");
  const algorithm = parseAlgorithm(ctx.req.headers["x-amz-checksum-algorithm"] as string | undefined);
  const uploadId = randomBytes(24).toString("base64url");
  const tags = tagsFromHeader(ctx.req.headers["x-amz-tagging"]);
  const headersOf = objectHeadersFromRequest(ctx);
  const assembly = await newEmptyBlob();
  try {
    await insertUpload({ uploadId, bucket, key, ...headersOf, checksumAlgorithm: algorithm ?? null, tags, assembly });
  } catch (error) {
    await removeBlob(assembly);
    throw error;
  }
  const headers: Record<string, string> = algorithm ? { "x-amz-checksum-algorithm": algorithm } : {};
  return { xml: { root: "InitiateMultipartUploadResult", body: { Bucket: bucket, Key: key, UploadId: uploadId } }, headers: headers };
}

export async function uploadPart(request: KeyRequest, uploadId: string, partNumberText: string): Promise<XmlAnswer> {
  const partNumber = Number(partNumberText);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
    throw new CloudError(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", { ArgumentName: "partNumber" });
  }
  await ownedUpload(request, uploadId);
  const gone = () => new CloudError(404, "NoSuchUpload", "The specified upload does not exist.", { UploadId: uploadId });
  const length = declaredBodyLength(request.ctx, request.payloadHash);
  const place = Number.isSafeInteger(length) && length > 0 ? await claimAssemblyPlace(uploadId, partNumber, length) : null;
  let received: ReceivedBody;
  let blob: string;
  if (place) {
    try {
      received = await receiveBody(request.ctx, request.payloadHash, { path: blobPath(place.assembly), offset: place.offset, length });
    } catch (error) {
      // The assembly is removed when its upload is aborted.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw gone();
      throw error;
    }
    blob = place.assembly;
  } else {
    received = await receiveBody(request.ctx, request.payloadHash);
    blob = await commitOrDiscard(received.tempPath);
  }
  const etag = received.md5.toString("hex");
  const offset = place?.offset ?? null;
  await removeBlob(await putPartRow({ uploadId, partNumber, blob, offset, size: received.size, etag, checksum: received.checksum }));
  // The upload may have been aborted or completed while this part was arriving (its assembly
  // then went with it, or became the object).
  if (!(await findUpload(uploadId))) {
    if (!place) await removeBlob(blob);
    throw gone();
  }
  const headers: Record<string, string> = { ETag: quoteEtag(etag) };
  if (received.checksum) headers[checksumHeader(received.checksum.algorithm)] = received.checksum.value;
  return { headers };
}

interface RequestedPart {
  PartNumber?: unknown;
  ETag?: unknown;
  [checksum: string]: unknown;
}

const completedResult = (bucket: string, key: string, etag: string) => ({ Location: `/${bucket}/${encodeURIComponent(key)}`, Bucket: bucket, Key: key, ETag: quoteEtag(etag) });

export async function completeMultipartUpload(request: KeyRequest, uploadId: string): Promise<XmlAnswer> {
  const { ctx, bucket, key } = request;
  // A repeated Complete of an upload that made the current object answers as the first did.
  if (!(await findUpload(uploadId))) {
    await ownedBucket(bucket, request.caller);
    const object = await findObject(bucket, key);
    if (object?.uploadId === uploadId) return { xml: { root: "CompleteMultipartUploadResult", body: completedResult(bucket, key, object.etag) } };
  }
  const upload = await ownedUpload(request, uploadId);
  const parsed = parseXml((await readBody(ctx.req, 4 * 1024 * 1024)).toString("utf8")).CompleteMultipartUpload as Record<string, unknown> | undefined;
  const requested = ([] as RequestedPart[]).concat((parsed && typeof parsed === "object" ? (parsed.Part as RequestedPart) : undefined) ?? []);
  if (requested.length === 0) {
    throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: at least one Part is required.");
  }
  const stored = new Map((await listPartRows(uploadId)).map((p) => [p.partNumber, p]));
  const parts = requested.map((part, index) => {
    const number = Number(part.PartNumber);
    const found = stored.get(number);
    const etag = String(part.ETag ?? "").replace(/"/g, "");
    if (!found || found.etag !== etag) {
      throw new CloudError(
        400,
        "InvalidPart",
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { UploadId: uploadId, PartNumber: number },
      );
    }
    if (index > 0 && number <= Number(requested[index - 1]!.PartNumber)) {
      throw new CloudError(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", { UploadId: uploadId });
    }
    if (index < requested.length - 1 && found.size < MIN_PART_BYTES) {
      throw new CloudError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", {
        PartNumber: number,
        MinSizeAllowed: MIN_PART_BYTES,
        ProposedSize: found.size,
      });
    }
    return found;
  });

  // The assembly becomes the object when every part is in its place: it is moved to a blob id
  // of its own (one rename), so nothing the upload's rows name is the object's file. Otherwise
  // the parts are concatenated into one new blob. The parts stay until the object row points at
  // the blob.
  const sealed = await sealAssembly(uploadId);
  const assembly = sealed.first && isAssembled(sealed, parts) ? sealed.assembly : null;
  let blob: string;
  if (assembly) blob = await commitBlob(blobPath(assembly));
  else {
    const temp = newTempPath();
    try {
      await concatenateFiles(
        parts.map((p) => (p.offset === null ? blobPath(p.blob) : { path: blobPath(p.blob), offset: p.offset, length: p.size })),
        temp,
      );
      blob = await commitBlob(temp);
    } catch (error) {
      await removeTemp(temp);
      // A part's file gone: another Complete of this upload (or an Abort) finished first.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CloudError(404, "NoSuchUpload", "The specified upload was completed or aborted meanwhile.", { UploadId: uploadId });
      throw error;
    }
  }
  // S3's multipart ETag: the MD5 of the parts' binary MD5s, and the number of parts.
  const md5 = createHash("md5");
  for (const part of parts) md5.update(Buffer.from(part.etag, "hex"));
  const etag = `${md5.digest("hex")}-${parts.length}`;
  const algorithm = upload.checksumAlgorithm as ChecksumAlgorithm | null;
  let checksum = null;
  if (algorithm && parts.every((p) => p.checksum?.algorithm === algorithm)) {
    const composite = checksummer(algorithm);
    for (const part of parts) composite.update(Buffer.from(part.checksum!.value, "base64"));
    checksum = { algorithm, value: composite.digest() };
  }
  const size = parts.reduce((sum, p) => sum + p.size, 0);
  const row = {
    bucket,
    key,
    blob,
    size,
    etag,
    contentType: upload.contentType,
    headers: upload.headers,
    metadata: upload.metadata,
    checksum,
    partsCount: parts.length,
    tags: upload.tags,
    uploadId,
    partSizes: parts.map((p) => p.size),
  };
  let written: Awaited<ReturnType<typeof writeObject>>;
  try {
    written = await conditionally(blob, () => writeObject(row, undefined, writeConditionsOf(ctx)), assembly ? async () => {} : removeBlob, key);
  } catch (error) {
    // A write refused or failed gives the assembly back to the parts in it (a later Complete copies them out).
    if (assembly) fs.renameSync(blobPath(blob), blobPath(assembly));
    throw error;
  }
  for (const gone of written.removed) await removeBlob(gone);
  await Promise.all((await deleteUploadRows(uploadId)).map(removeBlob));
  const result: Record<string, unknown> = completedResult(bucket, key, etag);
  if (checksum) {
    result[checksumXmlName(checksum.algorithm)] = `${checksum.value}-${parts.length}`;
    result.ChecksumType = "COMPOSITE";
  }
  return { xml: { root: "CompleteMultipartUploadResult", body: result }, headers: written.versionId ? { "x-amz-version-id": written.versionId } : {} };
}

/**
 * Whether the assembly holds exactly the object: the parts are 1 to N, each in its place, all but
 * the last of the stride's size, every place taken is one of theirs (no body still arriving, or
 * that failed, into it), and the file ends where the last part does.
 */
function isAssembled({ assembly, stride, claimed }: SealedAssembly, parts: MultipartPart[]): boolean {
  if (assembly === null || stride === null || claimed.length !== parts.length) return false;
  const taken = new Set(claimed);
  const whole = parts.every(
    (p, i) => p.partNumber === i + 1 && taken.has(p.partNumber) && p.blob === assembly && p.offset === i * stride && (i === parts.length - 1 ? p.size <= stride : p.size === stride),
  );
  if (!whole) return false;
  const last = parts.at(-1)!;
  return fs.statSync(blobPath(assembly)).size === last.offset! + last.size;
}

export async function abortMultipartUpload(request: KeyRequest, uploadId: string): Promise<XmlAnswer> {
  await ownedUpload(request, uploadId);
  for (const blob of await deleteUploadRows(uploadId)) await removeBlob(blob);
  return { status: 204 };
}

export async function listParts(request: KeyRequest, uploadId: string): Promise<XmlAnswer> {
  await ownedUpload(request, uploadId);
  const parts = await listPartRows(uploadId);
  const body = {
    Bucket: request.bucket,
    Key: request.key,
    UploadId: uploadId,
    IsTruncated: false,
    Part: parts.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: new Date(p.lastModified).toISOString(),
      ETag: quoteEtag(p.etag),
      Size: p.size,
      ...(p.checksum ? { [checksumXmlName(p.checksum.algorithm)]: p.checksum.value } : {}),
    })),
  };
  return { xml: { root: "ListPartsResult", body: body } };
}

export async function listMultipartUploads(request: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const { ctx, caller, bucket } = request;
  await ownedBucket(bucket, caller);
  const prefix = ctx.query.get("prefix") ?? "";
  const keyMarker = ctx.query.get("key-marker") ?? "";
  const uploadIdMarker = ctx.query.get("upload-id-marker") || null;
  const maxText = ctx.query.get("max-uploads");
  const max = maxText === undefined ? 1000 : Number(maxText);
  if (!Number.isInteger(max) || max < 0) throw new CloudError(400, "InvalidArgument", "max-uploads must be a whole number.", { ArgumentName: "max-uploads" });
  const limit = Math.min(max, 1000);
  const rows = await listUploadRows(bucket, prefix, keyMarker ? { key: keyMarker, uploadId: uploadIdMarker } : null, limit + 1);
  const page = rows.slice(0, limit);
  const truncated = rows.length > limit;
  const owner = { ID: caller.accountId, DisplayName: caller.accountId };
  const body = {
    Bucket: bucket,
    KeyMarker: keyMarker,
    UploadIdMarker: uploadIdMarker ?? "",
    ...(truncated ? { NextKeyMarker: page.at(-1)!.key, NextUploadIdMarker: page.at(-1)!.uploadId } : {}),
    Prefix: prefix,
    MaxUploads: limit,
    IsTruncated: truncated,
    Upload: page.map((u) => ({
      Key: u.key,
      UploadId: u.uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: "STANDARD",
      Initiated: new Date(u.createdAt).toISOString(),
      ...(u.checksumAlgorithm ? { ChecksumAlgorithm: u.checksumAlgorithm } : {}),
    })),
  };
  return { xml: { root: "ListMultipartUploadsResult", body: body } };
}

/** Uploads nobody finished within a day are aborted, their parts' files removed (as a lifecycle rule would). */
export const ABANDONED_UPLOAD_MS = 24 * 60 * 60 * 1000;

export async function sweepAbandonedUploads(now = new Date()): Promise<number> {
  const ids = await abandonedUploadIds(new Date(now.getTime() - ABANDONED_UPLOAD_MS));
  for (const id of ids) for (const blob of await deleteUploadRows(id)) await removeBlob(blob);
  return ids.length;
}

/** UploadPartCopy: a part made of another object's bytes (or a range of them) the caller owns. */
export async function uploadPartCopy(request: KeyRequest, uploadId: string, partNumberText: string): Promise<XmlAnswer> {
  const partNumber = Number(partNumberText);
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
    throw new CloudError(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", { ArgumentName: "partNumber" });
  }
  await ownedUpload(request, uploadId);
  const source = parseCopySource(String(request.ctx.req.headers["x-amz-copy-source"]));
  await ownedBucket(source.bucket, request.caller);
  const object = await copySourceObject(source);
  const rangeHeader = request.ctx.req.headers["x-amz-copy-source-range"] as string | undefined;
  let [start, end] = [0, object.size - 1];
  if (rangeHeader) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader);
    if (m && Number(m[1]) <= Number(m[2]) && Number(m[2]) >= object.size)
      throw new CloudError(416, "InvalidRange", "The requested range is not satisfiable", { ActualObjectSize: object.size, RangeRequested: rangeHeader });
    if (!m || Number(m[1]) > Number(m[2]))
      throw new CloudError(
        400,
        "InvalidArgument",
        "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
        { ArgumentName: "x-amz-copy-source-range" },
      );
    [start, end] = [Number(m[1]), Number(m[2])];
  }
  const temp = newTempPath();
  const md5 = createHash("md5");
  let blob: string;
  try {
    if (end >= start) {
      const read = fs.createReadStream(blobPath(object.blob), { start, end });
      read.on("data", (chunk) => md5.update(chunk as Buffer));
      await pipeline(read, fs.createWriteStream(temp));
    } else fs.writeFileSync(temp, "");
    blob = await commitBlob(temp);
  } catch (error) {
    await removeTemp(temp);
    throw error;
  }
  const etag = md5.digest("hex");
  await removeBlob(await putPartRow({ uploadId, partNumber, blob, size: Math.max(0, end - start + 1), etag, checksum: null }));
  if (!(await findUpload(uploadId))) {
    await removeBlob(blob);
    throw new CloudError(404, "NoSuchUpload", "The specified upload does not exist.", { UploadId: uploadId });
  }
  return { xml: { root: "CopyPartResult", body: { ETag: quoteEtag(etag), LastModified: new Date().toISOString() } } };
}
