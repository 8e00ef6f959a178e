import fs from "node:fs";
import { createHash } from "node:crypto";
import type { Readable } from "node:stream";
import { CloudError, notImplemented } from "../../errors";
import type { ServiceContext } from "../../service";
import type { StoredChecksum } from "../../store/schema";
import { AwsChunkedDecoder } from "./aws-chunked";
import { newTempPath, removeTemp } from "./blobs";
import { checksumAlgorithms, checksumHeader, checksummer, parseAlgorithm, type ChecksumAlgorithm } from "./checksums";
import { digestAsWritten, workerChecksums } from "./digest-worker";

export const MAX_PUT_BYTES = 5 * 1024 ** 3;

export interface ReceivedBody {
  /** The temporary file holding the body, or the file of the place it was written into. */
  tempPath: string;
  size: number;
  md5: Buffer;
  checksum: StoredChecksum | null;
}

/** The checksum the client declared, in a header now or in a trailer after the body. */
function declaredChecksum(ctx: ServiceContext): { algorithm?: ChecksumAlgorithm; header?: string; trailer?: string } {
  const headers = ctx.req.headers;
  for (const algorithm of checksumAlgorithms) {
    const value = headers[checksumHeader(algorithm)];
    if (typeof value === "string") return { algorithm, header: value };
  }
  const trailer = String(headers["x-amz-trailer"] ?? "").toLowerCase();
  if (trailer) {
    const algorithm = checksumAlgorithms.find((a) => checksumHeader(a) === trailer);
    if (!algorithm) throw new CloudError(400, "InvalidRequest", `The trailer ${trailer} is not a supported checksum.`);
    return { algorithm, trailer };
  }
  if (headers["x-amz-checksum-crc64nvme"] !== undefined) {
    throw new CloudError(400, "InvalidRequest", "CRC64NVME checksums are not supported by the local cloud; use CRC32, CRC32C, SHA1 or SHA256.");
  }
  return { algorithm: parseAlgorithm(headers["x-amz-sdk-checksum-algorithm"] as string | undefined) };
}

/** Where in an existing file a body of exactly `length` bytes is to be written (a part's place). */
export interface BodyPlace {
  path: string;
  offset: number;
  length: number;
}

/** The body's length as the request declares it (decoded, for aws-chunked), or NaN. */
export function declaredBodyLength(ctx: ServiceContext, payloadHash: string): number {
  const chunked = payloadHash.startsWith("STREAMING-");
  return Number(ctx.req.headers[chunked ? "x-amz-decoded-content-length" : "content-length"] ?? NaN);
}

/**
 * Streams a request body to a temporary file (or into `place`) and computes its MD5 (the ETag),
 * the SHA-256 the signature promised (when it promised one) and the declared checksum, as it
 * passes (small bodies) or on the digest worker from the file as it is written (large ones), then
 * checks them all before answering. The body is never held in memory. On any failure the
 * temporary file is removed; a place's bytes are left to whoever gave it, and nothing is written
 * outside it.
 */
export async function receiveBody(ctx: ServiceContext, payloadHash: string, place?: BodyPlace): Promise<ReceivedBody> {
  const { req } = ctx;
  if (payloadHash.startsWith("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") || payloadHash.startsWith("STREAMING-AWS4-ECDSA")) {
    throw notImplemented("Signed aws-chunked uploads (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)");
  }
  // The payload hash says whether the body is aws-chunked; a Content-Encoding naming aws-chunked
  // without it is only a label (S3 drops it from the stored encoding either way).
  const chunked = payloadHash.startsWith("STREAMING-");
  const declaredLength = declaredBodyLength(ctx, payloadHash);
  if (declaredLength > MAX_PUT_BYTES) {
    throw new CloudError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.");
  }
  const contentMd5 = req.headers["content-md5"];
  if (typeof contentMd5 === "string" && Buffer.from(contentMd5, "base64").length !== 16) throw new CloudError(400, "InvalidDigest", "The Content-MD5 you specified was invalid.");
  const declared = declaredChecksum(ctx);
  const wantsSha256 = /^[0-9a-f]{64}$/.test(payloadHash);
  // Large bodies are digested on a worker thread from their file as it is written; small ones as
  // they pass, where messages to a worker would cost more than they save.
  const onWorker = declaredLength >= 8 * 1024 * 1024;
  const onWorkerChecksum = onWorker && declared.algorithm !== undefined && workerChecksums.has(declared.algorithm);
  const md5 = onWorker ? null : createHash("md5");
  const sha256 = wantsSha256 && !onWorker ? createHash("sha256") : null;
  const sum = declared.algorithm && !onWorkerChecksum ? checksummer(declared.algorithm) : null;
  const decoder = chunked ? new AwsChunkedDecoder() : null;
  if (place && place.length !== declaredLength) throw new Error("a place is given for a body of its declared length");
  const tempPath = place?.path ?? newTempPath();
  const start = place?.offset ?? 0;
  const digester = onWorker ? digestAsWritten(tempPath, { sha256: wantsSha256, checksum: onWorkerChecksum ? declared.algorithm! : null, offset: start }) : null;
  try {
    const source: Readable = decoder ? req.pipe(decoder) : req;
    if (decoder) req.once("error", (error) => decoder.destroy(error));
    const onChunk = (chunk: Buffer) => {
      md5?.update(chunk);
      sha256?.update(chunk);
      sum?.update(chunk);
    };
    const size = await streamToFile(source, tempPath, place ? place.length : MAX_PUT_BYTES, onChunk, place?.offset, digester?.written);
    if (!req.complete) throw new CloudError(400, "IncompleteBody", "The request body ended before Content-Length bytes arrived.");
    if (Number.isFinite(declaredLength) && size !== declaredLength) {
      throw new CloudError(400, "IncompleteBody", `You did not provide the number of bytes specified by the Content-Length HTTP header (expected ${declaredLength}, got ${size}).`);
    }
    const digests = digester ? await digester.finish(start + size) : null;
    const md5Digest = digests?.md5 ?? md5!.digest();
    if (typeof contentMd5 === "string" && contentMd5 !== md5Digest.toString("base64")) {
      throw new CloudError(400, "BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
    if (wantsSha256 && (digests ? digests.sha256 : sha256!.digest("hex")) !== payloadHash) {
      throw new CloudError(400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    let checksum: StoredChecksum | null = null;
    if (declared.algorithm) {
      const value = onWorkerChecksum ? digests!.checksum! : sum!.digest();
      const expected = declared.header ?? (declared.trailer ? decoder?.trailers.get(declared.trailer) : undefined);
      if (expected !== undefined && expected !== value) {
        throw new CloudError(400, "BadDigest", `The ${declared.algorithm} you specified did not match the calculated checksum.`);
      }
      checksum = { algorithm: declared.algorithm, value };
    }
    return { tempPath, size, md5: md5Digest, checksum };
  } catch (error) {
    digester?.abort();
    if (!place) await removeTemp(tempPath);
    if (error instanceof CloudError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ERR_STREAM_PREMATURE_CLOSE" || (error as NodeJS.ErrnoException).code === "ECONNRESET") {
      throw new CloudError(400, "IncompleteBody", "The connection closed before the whole body arrived.");
    }
    throw error;
  }
}

// What the loop gathers before one write: 16 reads of a socket (64 KB each) per system call and
// per wake-up of a thread of the pool, instead of one each (docs/benchmarks.md).
const WRITE_BATCH_BYTES = 1024 * 1024;

/**
 * Streams `source` into the file at `tempPath` (a new file, or an existing one from `offset`),
 * handing each chunk to `onChunk` first (hashes), and answers the number of bytes written; more
 * than `maxBytes` is EntityTooLarge, refused before any byte beyond them is written. Chunks are
 * gathered into batches of about a megabyte, each written with one `writev` while the next is
 * gathered (at most two batches held); `onWritten` is told the file position each written batch
 * ends at. It answers or fails only once the file is closed, so no write of it is still on its
 * way after.
 */
export async function streamToFile(source: Readable, tempPath: string, maxBytes: number, onChunk: (chunk: Buffer) => void, offset?: number, onWritten?: (end: number) => void): Promise<number> {
  // An existing file is opened without creating it ("r+"): one removed meanwhile (its upload
  // aborted) is an error here rather than made again.
  const file = await fs.promises.open(tempPath, offset === undefined ? "w" : "r+");
  let size = 0;
  let position = offset ?? 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  // The write in flight (assigned in startWrite, which the compiler does not follow).
  let writing = null as Promise<void> | null;
  const startWrite = async () => {
    if (writing) await writing;
    if (batchBytes === 0) return;
    const end = position + batchBytes;
    writing = writeAllAt(file, batch, position).then(() => onWritten?.(end));
    // Failures are seen where the write is awaited; this keeps one from being unhandled meanwhile.
    writing.catch(() => {});
    position += batchBytes;
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const chunk of source as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > maxBytes) throw new CloudError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
      onChunk(chunk);
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= WRITE_BATCH_BYTES) await startWrite();
    }
    await startWrite();
    await writing;
  } finally {
    await writing?.catch(() => {});
    await file.close();
  }
  return size;
}

/** Writes `buffers` at `position`, all of them: a short write goes on with what is left. */
async function writeAllAt(file: fs.promises.FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let left = buffers;
  while (left.length > 0) {
    const { bytesWritten } = await file.writev(left, position);
    // A file that takes nothing would otherwise be asked again forever.
    if (bytesWritten === 0) throw new Error("writing a body made no progress");
    position += bytesWritten;
    let skip = bytesWritten;
    while (left.length > 0 && skip >= left[0]!.length) {
      skip -= left[0]!.length;
      left = left.slice(1);
    }
    if (skip > 0) left = [left[0]!.subarray(skip), ...left.slice(1)];
  }
}
