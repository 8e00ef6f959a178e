import { parentPort } from "node:worker_threads";
import { runPrivately } from "../privacy/mechanism";
import type { QueryStage } from "./stages";
import { SandboxFailure } from "./failure";
import { inSandbox, SandboxStopped, writeResult, type SandboxLimits } from "./sandbox";
import type { ThreadFailure, ThreadRequest, ThreadReply } from "./sandbox-pool";

// A sandbox thread: runs one protected query at a time in a DuckDB of its own, exactly as
// inSandbox does on any thread (the same views, file allow-list, locked configuration, limits,
// timeout and interrupt), for the event loop of the local cloud (sandbox-pool.ts). What the loop
// would otherwise do itself (making and closing DuckDB instances, which blocks the thread that
// does it for 10–20 ms after a large query; reading the result; the private mechanism's steps)
// happens here. Only file paths, counts, stage names and data-free error text cross back.

const port = parentPort!;
const send = (reply: ThreadReply) => port.postMessage(reply);

interface Job {
  abort: AbortController;
  admit(limits: SandboxLimits | null): void;
  /** The loop says when to close: after the query's result is delivered, or at once when others wait. */
  close(): void;
}
const jobs = new Map<number, Job>();

/** The loop said no (its query was cancelled before its turn): not a failure of the sandbox. */
class Refused extends Error {}

function failureOf(error: unknown): ThreadFailure {
  if (error instanceof Refused) return { kind: "refused" };
  if (error instanceof SandboxStopped) return { kind: "stopped", reason: error.reason };
  // DuckDB's own text goes back only to be mapped to a fixed sentence and logged with its
  // literals removed (failure.ts); the member never sees it.
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e ?? ""));
  if (error instanceof SandboxFailure) return { kind: "failure", stage: error.stage, message: message(error.cause) };
  return { kind: "error", message: message(error) };
}

async function run(request: Extract<ThreadRequest, { type: "run" }>): Promise<void> {
  const { job, setup, work } = request;
  const abort = new AbortController();
  let admitted: (limits: SandboxLimits | null) => void = () => {};
  // Closing waits for the loop's word; a sandbox never opened has nothing to close.
  let closeNow: (() => void) | null = null;
  let closeAsked = false;
  const closeSandbox = () => {
    if (!closeAsked || !closeNow) return;
    const close = closeNow;
    closeNow = null;
    setImmediate(() => {
      try {
        close();
      } finally {
        jobs.delete(job);
        send({ type: "closed", job });
      }
    });
  };
  jobs.set(job, {
    abort,
    admit: (limits) => admitted(limits),
    close: () => {
      closeAsked = true;
      closeSandbox();
    },
  });
  let opened = false;
  try {
    const result = await inSandbox(
      {
        ...setup,
        signal: abort.signal,
        clock: { mark: (stage: QueryStage) => send({ type: "mark", job, stage }) },
        limits: async () => {
          const limits = await new Promise<SandboxLimits | null>((resolve) => {
            admitted = resolve;
            send({ type: "admit", job });
          });
          if (!limits) throw new Refused();
          return limits;
        },
        closeLater: (close) => {
          opened = true;
          closeNow = close;
          closeSandbox();
        },
      },
      (session) =>
        work.kind === "private"
          ? runPrivately(session, { plan: work.plan, values: work.values, usersNoisePerQuery: work.usersNoisePerQuery, resultFormat: work.resultFormat })
          : writeResult(session, work.sql, work.resultFormat, work.values),
    );
    send({ type: "done", job, result });
  } catch (error) {
    send({ type: "failed", job, failure: failureOf(error) });
  } finally {
    if (!opened) {
      jobs.delete(job);
      send({ type: "closed", job });
    }
  }
}

port.on("message", (request: ThreadRequest) => {
  if (request.type === "run") void run(request);
  else if (request.type === "admit") jobs.get(request.job)?.admit(request.limits);
  else if (request.type === "abort") jobs.get(request.job)?.abort.abort();
  else if (request.type === "close") jobs.get(request.job)?.close();
});
send({ type: "ready" });
