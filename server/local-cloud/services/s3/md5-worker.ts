import { Worker } from "node:worker_threads";

// MD5 (the ETag) is the slowest of the digests an upload needs. For large bodies it is computed
// on a worker thread, beside the SHA-256 and checksum on the main thread, so a 2-core machine
// hashes in parallel. The worker acknowledges what it has hashed, and an upload waits when more
// than a few megabytes are in flight, so a slow worker never makes a body pile up in memory.
// The worker's code is inline so that it survives bundling.

const source = `
const { parentPort } = require("node:worker_threads");
const { createHash } = require("node:crypto");
const jobs = new Map();
parentPort.on("message", (m) => {
  if (m.type === "start") jobs.set(m.id, createHash("md5"));
  else if (m.type === "data") { jobs.get(m.id).update(m.chunk); parentPort.postMessage({ id: m.id, hashed: m.chunk.length }); }
  else if (m.type === "end") { parentPort.postMessage({ id: m.id, digest: jobs.get(m.id).digest() }); jobs.delete(m.id); }
  else if (m.type === "drop") jobs.delete(m.id);
});`;

const MAX_IN_FLIGHT = 32 * 1024 * 1024;

interface Job {
  inFlight: number;
  onDrain?: () => void;
  onDigest?: (digest: Buffer) => void;
}

const holder = globalThis as typeof globalThis & { __md5Worker?: { worker: Worker; jobs: Map<number, Job>; next: number } };

function pool() {
  if (!holder.__md5Worker) {
    const worker = new Worker(source, { eval: true });
    worker.unref();
    const jobs = new Map<number, Job>();
    worker.on("message", (m: { id: number; hashed?: number; digest?: Uint8Array }) => {
      const job = jobs.get(m.id);
      if (!job) return;
      if (m.hashed !== undefined) {
        job.inFlight -= m.hashed;
        if (job.inFlight <= MAX_IN_FLIGHT / 2 && job.onDrain) {
          const resume = job.onDrain;
          job.onDrain = undefined;
          resume();
        }
      } else if (m.digest) {
        jobs.delete(m.id);
        job.onDigest?.(Buffer.from(m.digest));
      }
    });
    holder.__md5Worker = { worker, jobs, next: 1 };
  }
  return holder.__md5Worker;
}

export interface Md5 {
  update(chunk: Buffer): void;
  /** Resolves when the hasher has caught up enough to take more. */
  ready(): Promise<void>;
  digest(): Promise<Buffer>;
  drop(): void;
}

export function md5OnWorker(): Md5 {
  const p = pool();
  const id = p.next++;
  const job: Job = { inFlight: 0 };
  p.jobs.set(id, job);
  p.worker.postMessage({ type: "start", id });
  return {
    update(chunk) {
      job.inFlight += chunk.length;
      p.worker.postMessage({ type: "data", id, chunk });
    },
    ready: () => (job.inFlight <= MAX_IN_FLIGHT ? Promise.resolve() : new Promise<void>((resolve) => (job.onDrain = resolve))),
    digest: () =>
      new Promise<Buffer>((resolve) => {
        job.onDigest = resolve;
        p.worker.postMessage({ type: "end", id });
      }),
    drop() {
      p.jobs.delete(id);
      p.worker.postMessage({ type: "drop", id });
    },
  };
}
