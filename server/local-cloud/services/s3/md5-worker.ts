import { Worker } from "node:worker_threads";

// MD5 (the ETag) is the slowest of the digests an upload needs. For large bodies it is computed
// on a worker thread, beside the SHA-256 and checksum on the main thread, so a 2-core machine
// hashes in parallel. The worker's code is inline so that it survives bundling.

const source = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const jobs = new Map();
parentPort.on("message", (m) => {
  if (m.type === "start") jobs.set(m.id, createHash("md5"));
  else if (m.type === "data") jobs.get(m.id).update(m.chunk);
  else if (m.type === "end") { parentPort.postMessage({ id: m.id, digest: jobs.get(m.id).digest() }); jobs.delete(m.id); }
  else if (m.type === "drop") jobs.delete(m.id);
});`;

interface Pending {
  resolve(digest: Buffer): void;
}

const holder = globalThis as typeof globalThis & { __md5Worker?: { worker: Worker; pending: Map<number, Pending>; next: number } };

function pool() {
  if (!holder.__md5Worker) {
    const worker = new Worker(source, { eval: true });
    worker.unref();
    const pending = new Map<number, Pending>();
    worker.on("message", (m: { id: number; digest: Uint8Array }) => {
      pending.get(m.id)?.resolve(Buffer.from(m.digest));
      pending.delete(m.id);
    });
    holder.__md5Worker = { worker, pending, next: 1 };
  }
  return holder.__md5Worker;
}

export interface Md5 {
  update(chunk: Buffer): void;
  digest(): Promise<Buffer>;
  drop(): void;
}

export function md5OnWorker(): Md5 {
  const p = pool();
  const id = p.next++;
  p.worker.postMessage({ type: "start", id });
  return {
    update: (chunk) => p.worker.postMessage({ type: "data", id, chunk }),
    digest: () =>
      new Promise<Buffer>((resolve) => {
        p.pending.set(id, { resolve });
        p.worker.postMessage({ type: "end", id });
      }),
    drop: () => p.worker.postMessage({ type: "drop", id }),
  };
}
