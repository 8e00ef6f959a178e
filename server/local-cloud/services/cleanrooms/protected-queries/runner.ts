import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { dataDir, protectedQueryResources, protectedQueryTimeoutMs } from "@/server/config";
import { createCoreGate } from "@/server/engine/exec/gate";
import { createQueue, type JobOwner, type JobStart } from "@/server/engine/exec/queue";
import { reportStages, StageClock } from "@/server/engine/exec/stages";
import { publicFailureMessage, redactedForLog, SandboxFailure } from "@/server/engine/exec/failure";
import { inSandbox, SandboxStopped, writeResult } from "@/server/engine/exec/sandbox";
import { runPrivately } from "@/server/engine/privacy/mechanism";
import { toDuckDbParameters } from "@/server/engine/sql/parameters";
import { checkAgainstRules, QueryRefusal } from "@/server/engine/sql/validate";
import { log } from "@/server/log";
import { commitBlob, removeBlob } from "../../s3/blobs";
import { findBucket, writingObject } from "../../s3/store";
import { writeObject } from "../../s3/versions";
import type { AnalysisTemplateBody, CollaborationBody, ProtectedQueryBody } from "../model";
import { debitOf, refundQuery } from "../privacy-budgets";
import { changeResource, findByArn, findWithCollaboration, listResources, questionsAnswered, transitionResource, transitionResourceWith, type Resource } from "../resources";
import { catalogFor, checkPrivacyOwner } from "./catalog";
import { DataUnavailable, sandboxTable } from "./data";

// Protected queries run through a queue in this process, fair between members and between
// analysts; the rest wait in SUBMITTED. One query more than may run at once is let through, so
// that it reads its catalog, is validated and has its sandbox prepared while another executes;
// the core gate then admits it with its share of the threads and memory (docs/local-cloud.md). Their state lives
// in the store, so a restart never loses one: queries that were waiting run after the restart,
// and one that was running ends FAILED, saying why.

type ProtectedQuery = Resource<ProtectedQueryBody>;

const cores = createCoreGate("protected-query-cores", protectedQueryResources);
const queue = createQueue(
  "protected-queries",
  () => protectedQueryResources().maxSandboxes + 1,
  execute,
  (id, error) => log("error", "protected query runner failed", { id, error }),
);

export function enqueue(id: string, owner: JobOwner): void {
  queue.enqueue(id, owner);
}

/** Whose query it is, for the queue's fairness: the member, and the principal who started it. */
export function ownerOf(query: ProtectedQuery): JobOwner {
  return { member: query.accountId, analyst: query.body.submittedBy ?? query.accountId };
}

/** Whether this process runs the query (it waits in the queue here, or runs): its moves are seen here as they happen. */
export function runsHere(id: string): boolean {
  return queue.holds(id);
}

/** Interrupts a running query; false when it is not running here. */
export function interrupt(id: string): boolean {
  return queue.interrupt(id);
}

export async function recoverProtectedQueries(): Promise<void> {
  // No query runs yet: what is under results/ was left by queries a restart interrupted (never
  // delivered) and by sandboxes made ahead (their empty directories).
  await fs.promises.rm(resultsDir(), { recursive: true, force: true });
  // Only unfinished queries (the history of finished ones can be long), a page at a time.
  let after: string | null = null;
  for (;;) {
    const page: ProtectedQuery[] = await listResources<ProtectedQueryBody>({ kind: "protectedQuery", statuses: ["SUBMITTED", "STARTED", "CANCELLING"] }, after, 500);
    if (!page.length) return;
    await recoverPage(page);
    after = page.at(-1)!.id;
  }
}

async function recoverPage(page: ProtectedQuery[]): Promise<void> {
  for (const query of page) {
    if (query.body.status === "STARTED" || query.body.status === "CANCELLING") {
      await finish(
        query,
        query.body.status === "CANCELLING"
          ? { status: "CANCELLED" }
          : { status: "FAILED", error: { code: "INTERNAL_ERROR", message: "The query was interrupted by a restart of the local cloud; start it again." } },
      );
    } else if (query.body.status === "SUBMITTED") {
      enqueue(query.id, ownerOf(query));
    }
  }
}

/** Where sandboxes write their results, each in a directory of its own, until they are delivered. */
const resultsDir = () => path.join(dataDir(), "local-cloud", "results");

const finished = new Set(["SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT"]);
// The longest a query's sandbox waits, once it has ended, for the answers to questions about it.
const QUESTIONS_BEFORE_CLOSE_MS = 20;

/**
 * Ends a query, under its row lock. A query that already ended stays as it ended, and one whose
 * cancel was acknowledged (CANCELLING) ends CANCELLED, whatever the run's own outcome.
 */
async function finish(query: ProtectedQuery, outcome: Partial<ProtectedQueryBody>): Promise<void> {
  await changeResource<ProtectedQueryBody>(query.id, async (current) =>
    finished.has(current.body.status) ? null : ended(current, current.body.status === "CANCELLING" ? { status: "CANCELLED" } : outcome),
  );
}

function ended(current: ProtectedQuery, outcome: Partial<ProtectedQueryBody>): ProtectedQueryBody {
  const started = current.body.startedAt ? new Date(current.body.startedAt).getTime() : new Date(current.createTime).getTime();
  const endedAt = new Date();
  return { ...current.body, ...outcome, endedAt: endedAt.toISOString(), statistics: { totalDurationInMillis: endedAt.getTime() - started } };
}

/** The SQL a query runs, and the values bound to a template's parameters. */
async function sqlOf(query: ProtectedQuery, collaborationId: string) {
  const { queryString, analysisTemplateArn, parameters } = query.body.sqlParameters;
  if (queryString !== undefined) return { sql: queryString, values: {}, source: { kind: "sql" as const } };
  const template = (await findByArn(analysisTemplateArn!)) as Resource<AnalysisTemplateBody> | undefined;
  if (!template || template.collaborationId !== collaborationId) throw new QueryRefusal(`Analysis template ${analysisTemplateArn} is not in this collaboration.`);
  const { sql } = toDuckDbParameters(String(template.body.source.text));
  const values: Record<string, string | number | boolean> = {};
  for (const declared of template.body.analysisParameters) {
    const raw = parameters?.[declared.name] ?? declared.defaultValue;
    if (raw === undefined) throw new QueryRefusal(`Parameter "${declared.name}" of the analysis template has no value and no default.`);
    values[declared.name] = typedValue(raw, declared.type, declared.name);
  }
  return { sql, values, source: { kind: "template" as const, arn: analysisTemplateArn! } };
}

function typedValue(raw: string, type: string, name: string): string | number | boolean {
  if (/^(SMALLINT|INTEGER|INT|BIGINT|TINYINT|LONG|SHORT|BYTE|DECIMAL|NUMERIC|REAL|DOUBLE|DOUBLE_PRECISION|FLOAT)$/.test(type)) {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new QueryRefusal(`Parameter "${name}" must be a number of type ${type}, not "${raw}".`);
    return n;
  }
  if (type === "BOOLEAN") {
    if (!/^(true|false)$/i.test(raw)) throw new QueryRefusal(`Parameter "${name}" must be true or false.`);
    return raw.toLowerCase() === "true";
  }
  return raw;
}

/** A sandbox's limits for the threads the core gate gave it: its memory follows its threads. */
const limitsFor = (resources: ReturnType<typeof protectedQueryResources>, threads: number) => ({ threads, memoryLimit: `${resources.memoryFor(threads)}MiB` });

async function execute(id: string, { queuedAt, signal }: JobStart): Promise<void> {
  const clock = new StageClock("queue", queuedAt);
  clock.mark("lookups");
  // It stays SUBMITTED while it is prepared (catalog, validation, sandbox), and becomes STARTED
  // when it gets its turn on the cores; a cancel before then ends it without reading a row.
  const { resource: query, collaboration } = await findWithCollaboration<ProtectedQueryBody, CollaborationBody>("protectedQuery", id);
  if (query?.body.status !== "SUBMITTED") return;
  const outDir = path.join(resultsDir(), id);
  // Until the sandbox reads a row, a failure gives a differentially private query its debit back;
  // after, it does not: whether and how a query fails may depend on the data (docs/privacy.md).
  let readRows = false;
  // The query as it became STARTED, when it does.
  let started: ProtectedQuery | undefined;
  // Closing a sandbox blocks this thread for a moment, so, when no other query waits for the
  // cores, it waits until this query has ended. Its threads are given back only once it is
  // closed, so the memory of the sandboxes open at once stays within the budget.
  const closes: (() => void)[] = [];
  let leave = () => {};
  const closeAndLeave = () => {
    for (const close of closes.splice(0)) close();
    leave();
  };
  try {
    if (!collaboration) throw new QueryRefusal("The collaboration no longer exists.");
    const { catalog, sources } = await catalogFor(collaboration, query.accountId);
    const { sql, values, source } = await sqlOf(query, collaboration.id);
    // Rules may have changed since the query was submitted: check it again against the rules now.
    clock.mark("validation");
    const validated = await checkAgainstRules(sql, catalog, source);
    checkPrivacyOwner(collaboration, validated.privacy);
    // The SQL it runs, rendered meanwhile (or already, after the start's check); a differentially
    // private query runs its plan instead.
    const rendering = validated.privacy ? null : validated.render();
    rendering?.catch(() => {});
    let rendered = "";
    clock.mark("lookups");
    const debit = validated.privacy ? await debitOf(id) : undefined;
    if (validated.privacy && (!debit || debit.refunded || debit.measurements < validated.privacy.measurements || debit.ownerAccountId !== validated.privacy.protectedOwnerAccountId)) {
      throw new QueryRefusal("The analysis rules changed since the query was submitted, and it now costs more privacy budget than was set aside for it; start it again.");
    }
    const tables = await Promise.all(validated.tables.map((t) => sandboxTable(t, sources.get(t)!)));
    const output = query.body.resultConfiguration.outputConfiguration.s3;
    const resources = protectedQueryResources();
    // Its turn on the cores: threads as the gate gives them, memory in proportion; then
    // SUBMITTED → STARTED, only if no cancel came first, before the sandbox reads a row.
    const limits = async () => {
      const admission = await cores.enter();
      leave = admission.leave;
      return limitsFor(resources, admission.threads);
    };
    const begin = async () => {
      clock.mark("status");
      // STARTED is written while DuckDB may still be rendering the SQL to run. A tree it cannot
      // render back fails the query here, before it reads a row (so, as before any failure up to
      // here, a differentially private query would get its debit back; those run a plan instead).
      const [move, text] = await Promise.allSettled([
        transitionResource<ProtectedQueryBody>(id, "SUBMITTED", { status: "STARTED", startedAt: new Date().toISOString() }),
        rendering ?? Promise.resolve(""),
      ]);
      clock.mark("sandbox");
      if (move.status === "rejected") throw move.reason;
      started = move.value;
      // A cancel came first: it ended the query.
      if (!started) throw new NotStarted();
      if (text.status === "rejected") throw text.reason;
      rendered = text.value;
      readRows = true;
    };
    const setup = {
      tables,
      outDir,
      limits,
      begin,
      timeoutMs: protectedQueryTimeoutMs(),
      signal,
      clock,
      spares: resources.maxSandboxes,
      // A query alone is given the most threads one may have.
      spareLimits: limitsFor(resources, resources.maxThreads),
      closeLater: (close: () => void) => closes.push(close),
    };
    const { file, sensitivityParameters } = validated.privacy
      ? await inSandbox(setup, (session) => runPrivately(session, { plan: validated.privacy!, values, usersNoisePerQuery: debit!.usersNoisePerQuery, resultFormat: output.resultFormat }))
      : { ...(await inSandbox(setup, (session) => writeResult(session, rendered, output.resultFormat, values))), sensitivityParameters: undefined };
    if (cores.waiting) closeAndLeave();
    const key = `${(output.keyPrefix ?? "").replace(/^\/+|\/+$/g, "")}${output.keyPrefix ? "/" : ""}${id}/result.${output.resultFormat === "CSV" ? "csv" : "parquet"}`;
    clock.mark("lookups");
    await checkReceiver(collaboration, query.accountId, output.bucket);
    clock.mark("result");
    await deliver(started!, file, output.bucket, key, output.resultFormat, sensitivityParameters ? { differentialPrivacy: { sensitivityParameters } } : {}, clock);
  } catch (error) {
    clock.mark("status");
    // Cancelled while it was prepared: the cancel ended it and gave its budget back.
    if (error instanceof NotStarted) return;
    if (!readRows) await refundQuery(id);
    if (error instanceof SandboxStopped) {
      await finish(query, error.reason === "timeout" ? { status: "TIMED_OUT", error: { code: "TIMED_OUT", message: error.message } } : { status: "CANCELLED" });
    } else if (error instanceof QueryRefusal) {
      await finish(query, { status: "FAILED", error: { code: "INVALID_QUERY", message: error.message } });
    } else if (error instanceof ReceiverRefused) {
      await finish(query, { status: "FAILED", error: { code: "RESULT_NOT_DELIVERED", message: error.message } });
    } else if (error instanceof DataUnavailable) {
      await finish(query, { status: "FAILED", error: { code: "DATA_UNAVAILABLE", message: error.message } });
    } else if (error instanceof SandboxFailure) {
      log("error", "protected query failed", { id, stage: error.stage, cause: redactedForLog(error.cause, [dataDir()]) });
      await finish(query, { status: "FAILED", error: { code: "QUERY_FAILED", message: publicFailureMessage(error) } });
    } else {
      log("error", "protected query failed", { id, cause: redactedForLog(error, [dataDir()]) });
      await finish(query, { status: "FAILED", error: { code: "INTERNAL_ERROR", message: "The query failed inside the local cloud. Messages of failed queries never include values from the data." } });
    }
  } finally {
    const ms = clock.stop();
    log("info", "protected query stages", { id, ms });
    reportStages({ id, ms });
    // Closing blocks this thread for a moment (2 ms alone, up to ten when the cores are busy):
    // first the clients asking about this query are answered. Those asking now (a
    // GetProtectedQuery woken by the status written); then, after one turn of the event loop's
    // I/O, those whose question had already arrived (a client's poll often comes just after the
    // end, and would otherwise wait for the closing); then their answers are written. Bounded: a
    // question is never a reason to keep the cores for long.
    await questionsAnswered(id, QUESTIONS_BEFORE_CLOSE_MS);
    await new Promise((resolve) => setTimeout(resolve, 0));
    await questionsAnswered(id, QUESTIONS_BEFORE_CLOSE_MS);
    await new Promise((resolve) => setImmediate(resolve));
    closeAndLeave();
    await fs.promises.rm(outDir, { recursive: true, force: true });
  }
}

/**
 * Results go only to a member who may receive them, into a bucket of that member's account, as
 * checked when the query started; checked again here, since either may have changed since.
 */
async function checkReceiver(collaboration: Resource<CollaborationBody>, accountId: string, bucketName: string): Promise<void> {
  const member = collaboration.body.members.find((m) => m.accountId === accountId && m.status === "ACTIVE");
  if (!member?.abilities.includes("CAN_RECEIVE_RESULTS")) throw new ReceiverRefused("The querying member can no longer receive results in this collaboration, so the result was not written.");
  const bucket = await findBucket(bucketName);
  if (!bucket || bucket.accountId !== accountId) throw new ReceiverRefused(`Bucket "${bucketName}" is no longer a bucket of account ${accountId}, so the result was not written.`);
}

class ReceiverRefused extends Error {}

/** The query was no longer SUBMITTED when its turn came (a cancel came first). */
class NotStarted extends Error {}

const SMALL_RESULT = 1024 * 1024;

/**
 * Moves the result file into the receiver's bucket and marks the query SUCCESS, in one transaction
 * whose first statement moves the query from STARTED (locking its row): a cancel acknowledged
 * before this point (CANCELLING) means no result is written and the query ends CANCELLED, and one
 * after it finds the query already ended.
 */
async function deliver(started: ProtectedQuery, file: string, bucket: string, key: string, format: "CSV" | "PARQUET", extra: Partial<ProtectedQueryBody>, clock: StageClock): Promise<void> {
  const md5 = createHash("md5");
  // A result is usually small: read at once on this thread (a few system calls of microseconds,
  // where each trip through the thread pool costs a wake-up of another thread); a large one is
  // streamed.
  const fd = fs.openSync(file, "r");
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
    if (size < SMALL_RESULT) md5.update(fs.readFileSync(fd));
  } finally {
    fs.closeSync(fd);
  }
  if (size >= SMALL_RESULT) for await (const chunk of fs.createReadStream(file)) md5.update(chunk as Buffer);
  const blob = await commitBlob(file);
  clock.mark("status");
  const { status, result, endedAt, statistics } = ended(started, { status: "SUCCESS", result: { output: { s3: { location: `s3://${bucket}/${key}` } } } });
  const outcome = await writingObject(bucket, key, () =>
    transitionResourceWith<ProtectedQueryBody, Awaited<ReturnType<typeof writeObject>>>(started.id, "STARTED", { ...extra, status, result, endedAt, statistics }, (tx) =>
      writeObject(
        {
          bucket,
          key,
          blob,
          size,
          etag: md5.digest("hex"),
          contentType: format === "CSV" ? "text/csv" : "application/vnd.apache.parquet",
          headers: {},
          metadata: {},
          checksum: null,
          partsCount: null,
        },
        tx,
      ),
    ),
  );
  if (outcome) {
    for (const gone of outcome.result.removed) await removeBlob(gone);
    return;
  }
  // No longer STARTED: a cancel came first (CANCELLING ends CANCELLED), or it has ended already.
  await removeBlob(blob);
  await finish(started, { status: "CANCELLED" });
}
