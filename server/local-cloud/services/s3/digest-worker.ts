import { Worker } from "node:worker_threads";
import { uint32Base64 } from "./checksums";

// The digests of a large body (its MD5 for the ETag, the SHA-256 its signature promised, a CRC32,
// SHA-1 or SHA-256 checksum) are computed on a worker thread that reads the body back from its
// temporary file once it is written (from the page cache, in one pass), not on the event loop:
// the loop only receives bytes and writes them, and no body is copied between threads. On a
// 2-core machine this is what lets an upload run at the disk's and the network's pace rather
// than the loop's (docs/benchmarks.md). The worker's code is inline so that it survives bundling.

const source = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const zlib = require("node:zlib");
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
parentPort.on("message", ({ id, file, sha256, checksum, offset, length }) => {
  let fd;
  try {
    const md5 = createHash("md5");
    const payload = sha256 ? createHash("sha256") : null;
    const sum = checksum === "SHA1" ? createHash("sha1") : checksum === "SHA256" ? createHash("sha256") : null;
    let crc = 0;
    fd = fs.openSync(file, "r");
    let position = offset;
    const end = length === null ? Infinity : offset + length;
    while (position < end) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, end - position), position);
      if (n === 0) break;
      position += n;
      const chunk = buffer.subarray(0, n);
      md5.update(chunk);
      payload?.update(chunk);
      sum?.update(chunk);
      if (checksum === "CRC32") crc = zlib.crc32(chunk, crc);
    }
    const value = checksum === "CRC32" ? crc : sum ? sum.digest("base64") : null;
    parentPort.postMessage({ id, md5: md5.digest(), sha256: payload ? payload.digest("hex") : null, checksum: value });
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
});`;

export interface FileDigests {
  md5: Buffer;
  /** Hex, when asked for. */
  sha256: string | null;
  /** Base64 as S3 shows it, when a checksum the worker computes was asked for. */
  checksum: string | null;
}

/** The checksums the worker computes (CRC32C stays on the loop: its code is ours, not Node's). */
export const workerChecksums = new Set(["CRC32", "SHA1", "SHA256"]);

type Reply = { id: number; md5?: Uint8Array; sha256?: string | null; checksum?: number | string | null; error?: string };

const holder = globalThis as typeof globalThis & { __digestWorker?: { worker: Worker; waiting: Map<number, (reply: Reply) => void>; next: number } };

function pool() {
  if (!holder.__digestWorker) {
    const worker = new Worker(source, { eval: true });
    worker.unref();
    const waiting = new Map<number, (reply: Reply) => void>();
    worker.on("message", (reply: Reply) => {
      const done = waiting.get(reply.id);
      waiting.delete(reply.id);
      done?.(reply);
    });
    holder.__digestWorker = { worker, waiting, next: 1 };
  }
  return holder.__digestWorker;
}

/** Reads `file` (or `length` bytes of it from `offset`) on the worker thread and answers their digests. */
export function digestFile(file: string, { sha256 = false, checksum = null as string | null, offset = 0, length = null as number | null } = {}): Promise<FileDigests> {
  const p = pool();
  const id = p.next++;
  return new Promise((resolve, reject) => {
    p.waiting.set(id, (reply) => {
      if (reply.error !== undefined) return reject(new Error(`digesting a body failed: ${reply.error}`));
      const value = reply.checksum;
      resolve({ md5: Buffer.from(reply.md5!), sha256: reply.sha256 ?? null, checksum: typeof value === "number" ? uint32Base64(value) : (value ?? null) });
    });
    p.worker.postMessage({ id, file, sha256, checksum, offset, length });
  });
}
