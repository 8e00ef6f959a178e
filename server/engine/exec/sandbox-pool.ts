import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { SensitivityParameters } from "../privacy/mechanism";
import type { PrivacyPlan } from "../sql/differential-privacy";
import { SandboxFailure, type SandboxStage } from "./failure";
import { SandboxStopped, type SandboxLimits, type SandboxResult, type SandboxRun, type SandboxSetup } from "./sandbox";
import type { QueryStage } from "./stages";

// Protected queries run on sandbox threads (sandbox-thread.ts), one query per thread at a time,
// so that the local cloud's event loop, which answers every request, never waits on DuckDB:
// making and closing an instance, reading the result and the private mechanism's steps all
// happen there. The loop keeps what decides: the queue, admission to the cores (a thread asks
// for its limits once its sandbox is prepared, and the loop answers when the gate admits it, or
// refuses when the query was cancelled first), cancels (sent as an interrupt), and the stage clock.
//
// A thread loads the engine's TypeScript through tsx's API (a dependency, as for `npm start`),
// from the project's folder, so it is the same code in tests, scripts and the console's server
// bundle (which does not bundle a worker's sources).

export type ThreadWork =
  | { kind: "sql"; sql: string; values?: SandboxRun["values"]; resultFormat: "CSV" | "PARQUET" }
  | { kind: "private"; plan: PrivacyPlan; values?: SandboxRun["values"]; usersNoisePerQuery: number; resultFormat: "CSV" | "PARQUET" };

export type ThreadSetup = Pick<SandboxSetup, "tables" | "outDir" | "timeoutMs" | "spares">;

export type ThreadRequest =
  { type: "run"; job: number; setup: ThreadSetup; work: ThreadWork } | { type: "admit"; job: number; limits: SandboxLimits | null } | { type: "abort"; job: number } | { type: "close"; job: number };

export type ThreadFailure =
  { kind: "refused" } | { kind: "stopped"; reason: SandboxStopped["reason"] } | { kind: "failure"; stage: SandboxStage; message: string } | { kind: "error"; message: string };

export type ThreadResult = SandboxResult & { sensitivityParameters?: SensitivityParameters[] };

export type ThreadReply =
  | { type: "ready" }
  | { type: "mark"; job: number; stage: QueryStage }
  | { type: "admit"; job: number }
  | { type: "done"; job: number; result: ThreadResult }
  | { type: "failed"; job: number; failure: ThreadFailure }
  | { type: "closed"; job: number };

export interface ThreadRun {
  setup: ThreadSetup;
  work: ThreadWork;
  /** Waits for the query's turn on the cores; throws to refuse it (that error is then thrown). */
  limits: () => Promise<SandboxLimits>;
  signal?: AbortSignal;
  clock?: { mark(stage: QueryStage): void };
}

export interface ThreadOutcome {
  result: Promise<ThreadResult>;
  /**
   * Closes the sandbox on its thread (when the caller says: closing takes a core for a moment,
   * 10–20 ms after a large query), and settles once it is closed and its memory freed: only
   * then may its threads be given back. Once; later calls answer the same promise.
   */
  close(): Promise<void>;
}

interface Pending {
  run: ThreadRun;
  resolve(result: ThreadResult): void;
  reject(error: unknown): void;
  closed(): void;
  refusal?: unknown;
}

// The thread's entry: tsx's loader (resolved, like the entry, from the project's folder, the
// working directory of every way the local cloud runs), then the engine's sandbox-thread.ts.
function threadSource(): string {
  const project = pathToFileURL(path.join(process.cwd(), path.sep)).href;
  const entry = new URL("server/engine/exec/sandbox-thread.ts", project).href;
  return `import("tsx/esm/api").then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(project)}));`;
}

class SandboxThread {
  readonly worker: Worker;
  job: { id: number; pending: Pending } | null = null;

  constructor(onEnd: (thread: SandboxThread, error: unknown) => void) {
    this.worker = new Worker(threadSource(), { eval: true });
    // Idle threads do not keep the process alive.
    this.worker.unref();
    this.worker.on("message", (reply: ThreadReply) => this.receive(reply));
    this.worker.on("error", (error) => onEnd(this, error));
    this.worker.on("exit", (code) => onEnd(this, new Error(`a sandbox thread stopped (exit code ${code})`)));
  }

  start(id: number, pending: Pending): void {
    this.job = { id, pending };
    const { setup, work, signal } = pending.run;
    const abort = () => this.worker.postMessage({ type: "abort", job: id } satisfies ThreadRequest);
    if (signal?.aborted) abort();
    signal?.addEventListener("abort", abort, { once: true });
    const resolve = pending.resolve;
    const reject = pending.reject;
    pending.resolve = (result) => (signal?.removeEventListener("abort", abort), resolve(result));
    pending.reject = (error) => (signal?.removeEventListener("abort", abort), reject(error));
    this.worker.postMessage({ type: "run", job: id, setup, work } satisfies ThreadRequest);
  }

  private receive(reply: ThreadReply): void {
    if (reply.type === "ready" || !this.job || reply.job !== this.job.id) return;
    const { pending } = this.job;
    if (reply.type === "mark") pending.run.clock?.mark(reply.stage);
    else if (reply.type === "admit") {
      pending.run.limits().then(
        (limits) => this.worker.postMessage({ type: "admit", job: reply.job, limits } satisfies ThreadRequest),
        (error: unknown) => {
          pending.refusal = error;
          this.worker.postMessage({ type: "admit", job: reply.job, limits: null } satisfies ThreadRequest);
        },
      );
    } else if (reply.type === "done") pending.resolve(reply.result);
    else if (reply.type === "failed") pending.reject(errorOf(reply.failure, pending));
    else if (reply.type === "closed") {
      this.job = null;
      pending.closed();
    }
  }
}

function errorOf(failure: ThreadFailure, pending: Pending): unknown {
  if (failure.kind === "refused") return pending.refusal;
  if (failure.kind === "stopped") return new SandboxStopped(failure.reason);
  if (failure.kind === "failure") return new SandboxFailure(failure.stage, new Error(failure.message));
  return new Error(failure.message);
}

export interface SandboxPool {
  run(run: ThreadRun): ThreadOutcome;
  /** Starts the threads ahead, so that the first queries do not wait for them to load. */
  warm(): void;
}

/** Up to `size()` sandbox threads, started as needed; a query waits for a free one. */
export function createSandboxPool(size: () => number): SandboxPool {
  const idle: SandboxThread[] = [];
  const all = new Set<SandboxThread>();
  const waiting: ((thread: SandboxThread) => void)[] = [];
  let jobs = 0;

  const ended = (thread: SandboxThread, error: unknown) => {
    if (!all.delete(thread)) return;
    const at = idle.indexOf(thread);
    if (at >= 0) idle.splice(at, 1);
    const job = thread.job;
    thread.job = null;
    if (job) {
      job.pending.reject(error);
      job.pending.closed();
    }
    // A waiting query gets a new thread in its place.
    if (waiting.length) release(spawn());
  };
  const spawn = () => {
    const thread = new SandboxThread(ended);
    all.add(thread);
    return thread;
  };
  const release = (thread: SandboxThread) => {
    const next = waiting.shift();
    if (next) next(thread);
    else idle.push(thread);
  };
  const take = (): Promise<SandboxThread> => {
    const free = idle.pop();
    if (free) return Promise.resolve(free);
    if (all.size < size()) return Promise.resolve(spawn());
    return new Promise((resolve) => waiting.push(resolve));
  };

  return {
    warm() {
      while (all.size < size()) idle.push(spawn());
    },
    run(run) {
      let pending!: Pending;
      const result = new Promise<ThreadResult>((resolve, reject) => {
        pending = { run, resolve, reject, closed: () => {} };
      });
      const closed = new Promise<void>((resolve) => (pending.closed = resolve));
      const started = take().then((thread) => {
        const close = pending.closed;
        pending.closed = () => {
          close();
          if (all.has(thread)) release(thread);
        };
        const id = ++jobs;
        thread.start(id, pending);
        return { thread, id };
      });
      let closing: Promise<void> | undefined;
      return {
        result,
        close: () =>
          (closing ??= (async () => {
            const { thread, id } = await started;
            thread.worker.postMessage({ type: "close", job: id } satisfies ThreadRequest);
            await closed;
          })()),
      };
    },
  };
}
