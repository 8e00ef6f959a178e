import { Worker } from "node:worker_threads";
import { uint32Base64 } from "./checksums";

// The digests of a large body (its MD5 for the ETag, the SHA-256 its signature promised, a CRC32,
// SHA-1 or SHA-256 checksum) are computed on a worker thread, not on the event loop: the loop only
// receives bytes and writes them, and no body is copied between threads. The worker reads the body
// back from its file as it is written, each batch once the loop has written it (from the page
// cache, while the next batch arrives), so that when the last byte is written only the last batch
// is left to digest. On a 2-core machine this is what lets an upload run at the disk's and the
// network's pace rather than the loop's (docs/benchmarks.md). The worker's code is inline so that
// it survives bundling.

const source = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const fs = require("node:fs");
const zlib = require("node:zlib");
const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
const bodies = new Map();
// Reads the body's file from where it was left up to \`end\`, through every digest it is given.
function readTo(body, end) {
  if (body.fd === undefined) body.fd = fs.openSync(body.file, "r");
  while (body.position < end) {
    const n = fs.readSync(body.fd, buffer, 0, Math.min(buffer.length, end - body.position), body.position);
    if (n === 0) throw new Error("the file ends before the bytes written to it");
    body.position += n;
    const chunk = buffer.subarray(0, n);
    body.md5.update(chunk);
    body.payload?.update(chunk);
    body.sum?.update(chunk);
    if (body.checksum === "CRC32") body.crc = zlib.crc32(chunk, body.crc);
  }
}
parentPort.on("message", ({ id, op, file, sha256, checksum, offset, end }) => {
  if (op === "begin") {
    const sum = checksum === "SHA1" ? createHash("sha1") : checksum === "SHA256" ? createHash("sha256") : null;
    bodies.set(id, { file, fd: undefined, position: offset, checksum, md5: createHash("md5"), payload: sha256 ? createHash("sha256") : null, sum, crc: 0, error: null });
    return;
  }
  const body = bodies.get(id);
  if (!body) return;
  // A failure is told when the body is finished; until then the rest of its bytes are passed over.
  if (op !== "abort" && !body.error) {
    try { readTo(body, end); } catch (error) { body.error = error; }
  }
  if (op === "written") return;
  // "finish" or "abort": the body is done with either way.
  bodies.delete(id);
  if (body.fd !== undefined) fs.closeSync(body.fd);
  if (op !== "finish") return;
  if (body.error) return parentPort.postMessage({ id, error: String(body.error && body.error.message) });
  const value = body.checksum === "CRC32" ? body.crc : body.sum ? body.sum.digest("base64") : null;
  parentPort.postMessage({ id, md5: body.md5.digest(), sha256: body.payload ? body.payload.digest("hex") : null, checksum: value });
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

/** A body being digested as it is written into its file. */
export interface BodyDigests {
  /** The bytes of the file up to `end` are written: the worker may read them. */
  written(end: number): void;
  /** Every byte up to `end` is written: the digests, once the worker has read them all. */
  finish(end: number): Promise<FileDigests>;
  /** The body will not be finished: the worker lets it go (its file may be removed). */
  abort(): void;
}

/**
 * Digests the bytes written into `file` from `offset` on the worker thread, as they are written:
 * the file must exist by the first `written` (or `finish`), and hold every byte `written` names.
 */
export function digestAsWritten(file: string, { sha256 = false, checksum = null as string | null, offset = 0 } = {}): BodyDigests {
  const p = pool();
  const id = p.next++;
  p.worker.postMessage({ id, op: "begin", file, sha256, checksum, offset });
  let done = false;
  return {
    written(end) {
      if (!done) p.worker.postMessage({ id, op: "written", end });
    },
    finish(end) {
      done = true;
      return new Promise((resolve, reject) => {
        p.waiting.set(id, (reply) => {
          if (reply.error !== undefined) return reject(new Error(`digesting a body failed: ${reply.error}`));
          const value = reply.checksum;
          resolve({ md5: Buffer.from(reply.md5!), sha256: reply.sha256 ?? null, checksum: typeof value === "number" ? uint32Base64(value) : (value ?? null) });
        });
        p.worker.postMessage({ id, op: "finish", end });
      });
    },
    abort() {
      if (done) return;
      done = true;
      p.worker.postMessage({ id, op: "abort" });
    },
  };
}
