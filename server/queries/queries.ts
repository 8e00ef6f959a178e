import "server-only";
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import {
  GetCollaborationAnalysisTemplateCommand,
  GetProtectedQueryCommand,
  StartProtectedQueryCommand,
  UpdateProtectedQueryCommand,
  type ProtectedQuerySQLParameters,
} from "@aws-sdk/client-cleanrooms";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { and, count, desc, eq, gte, ilike, lt } from "drizzle-orm";
import { ANALYST_HEADER } from "@/lib/analyst-header";
import { cleanroomsMode } from "@/server/config";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/server/auth/actor";
import { awsClientsFor } from "@/server/aws/clients";
import { awsCall } from "@/server/aws/errors";
import { membershipOf, resultsBucketOf } from "@/server/collaborations/collaborations";
import { parquetPreview } from "@/server/datasets/parquet-preview";
import { parseCsvRows } from "@/server/datasets/csv";
import type { SensitivityParameter } from "@/lib/privacy";
import { getDb } from "@/server/db/client";
import type { QuerySource } from "@/server/engine/sql/catalog";
import { toDuckDbParameters } from "@/server/engine/sql/parameters";
import { privacyCostOf } from "./check";
import { consoleQueries, type ConsoleQuery } from "@/server/db/schema";

// Protected queries as the workbench runs them: started through the organization's own Clean
// Rooms client (so the engine's rules, or AWS's, decide), with the console user who started each
// one recorded, and results read back from the member's result location through its S3 client.

/** States a query does not leave; REFUSED is the console's own, for a query Clean Rooms would not start. */
export const finalStatuses = ["SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT", "REFUSED"] as const;

export interface QueryState {
  id: string;
  status: string;
  error: string | null;
  durationMs: number | null;
  resultLocation: string | null;
  /** For a query on differentially private tables: the noise each aggregation got. */
  privacy: { usersNoisePerQuery: number; measurements: number; sensitivityParameters: SensitivityParameter[] } | null;
}

async function membershipFor(actor: Actor, collaborationId: string) {
  const clients = await awsClientsFor(actor);
  const membership = await awsCall("Reading your membership", () => membershipOf(clients, collaborationId));
  if (!membership) throw new AppError("not_found", "Your organization is not a member of this collaboration.");
  return { clients, membership };
}

export type ResultFormat = "CSV" | "PARQUET";

/** Starts a protected query of free SQL as the actor's organization, and records who started it. */
export async function startQuery(actor: Actor, collaborationId: string, sql: string, resultFormat: ResultFormat = "CSV"): Promise<string> {
  return start(actor, collaborationId, { queryString: sql }, { sql }, resultFormat, { kind: "sql" });
}

/**
 * Starts one of the collaboration's analysis templates with values for its parameters (bound by
 * Clean Rooms, never spliced into the SQL); the log records the template's SQL and the values.
 */
export async function startTemplateQuery(actor: Actor, collaborationId: string, templateArn: string, parameters: Record<string, string>, resultFormat: ResultFormat = "CSV"): Promise<string> {
  const clients = await awsClientsFor(actor);
  const { collaborationAnalysisTemplate: template } = await awsCall("Reading the analysis template", () =>
    clients.cleanrooms.send(new GetCollaborationAnalysisTemplateCommand({ collaborationIdentifier: collaborationId, analysisTemplateArn: templateArn })),
  );
  const declared = new Set((template!.analysisParameters ?? []).map((p) => p.name!));
  // Only the template's own parameters, and only those given a value (the rest take their defaults).
  const values = Object.fromEntries(Object.entries(parameters).filter(([name, value]) => declared.has(name) && value !== ""));
  return start(
    actor,
    collaborationId,
    { analysisTemplateArn: templateArn, ...(Object.keys(values).length ? { parameters: values } : {}) },
    { sql: template!.source?.text ?? "", templateName: template!.name!, parameters: values },
    resultFormat,
    { kind: "template", arn: templateArn },
  );
}

async function start(
  actor: Actor,
  collaborationId: string,
  sqlParameters: ProtectedQuerySQLParameters,
  logged: { sql: string; templateName?: string; parameters?: Record<string, string> },
  resultFormat: ResultFormat,
  source: QuerySource,
): Promise<string> {
  // What a differentially private query spends is worked out for the query log while the query
  // is being started, so that it adds no wait of its own (it never fails: null when unknown).
  const costing = privacyCostOf(actor, collaborationId, source.kind === "template" ? toDuckDbParameters(logged.sql).sql : logged.sql, source);
  const { clients, membership } = await membershipFor(actor, collaborationId);
  const db = await getDb();
  const record = { organizationId: actor.orgId, userId: actor.userId, userEmail: actor.email, collaborationId, membershipId: membership.id!, ...logged };
  // Results go to the organization's results bucket, in the format the analyst chose.
  const s3 = { bucket: resultsBucketOf(clients.accountId), keyPrefix: `results/${collaborationId}/`, resultFormat };
  const command = new StartProtectedQueryCommand({ membershipIdentifier: membership.id!, type: "SQL", sqlParameters, resultConfiguration: { outputConfiguration: { s3 } } });
  // The organization's analysts share its credentials: the local cloud's queue tells them apart by this label.
  if (cleanroomsMode() === "local") {
    command.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers[ANALYST_HEADER] = actor.userId;
        return next(args);
      },
      { step: "build", name: "analystLabel" },
    );
  }
  const { protectedQuery } = await awsCall("Starting the query", () => clients.cleanrooms.send(command)).catch(async (error: AppError) => {
    // A refused query is an attempt the log must show too, with the reason it was refused.
    // It spent nothing: Clean Rooms records a query only once its budget is debited.
    await db.insert(consoleQueries).values({ ...record, id: `refused-${randomUUID()}`, status: "REFUSED", error: error.message, finishedAt: new Date() });
    throw error;
  });
  const cost = await costing;
  await db.insert(consoleQueries).values({
    ...record,
    ...(cost ? { privacyMeasurements: cost.measurements, privacyUsersNoise: cost.usersNoise } : {}),
    id: protectedQuery!.id!,
    status: protectedQuery!.status ?? "SUBMITTED",
  });
  return protectedQuery!.id!;
}

/** A query's state now; a final state is written to the console's record of it. */
export async function getQuery(actor: Actor, queryId: string): Promise<QueryState | null> {
  const record = await recordOf(actor, queryId);
  if (!record) return null;
  const clients = await awsClientsFor(actor);
  const { protectedQuery } = await awsCall("Reading the query", () =>
    clients.cleanrooms.send(new GetProtectedQueryCommand({ membershipIdentifier: record.membershipId, protectedQueryIdentifier: queryId })),
  );
  const state: QueryState = {
    id: queryId,
    status: protectedQuery!.status!,
    error: protectedQuery!.error?.message ?? null,
    durationMs: protectedQuery!.statistics?.totalDurationInMillis ?? null,
    resultLocation: protectedQuery!.result?.output && "s3" in protectedQuery!.result.output ? (protectedQuery!.result.output.s3?.location ?? null) : null,
    privacy:
      record.privacyMeasurements !== null && record.privacyUsersNoise !== null
        ? {
            usersNoisePerQuery: record.privacyUsersNoise,
            measurements: record.privacyMeasurements,
            sensitivityParameters: (protectedQuery!.differentialPrivacy?.sensitivityParameters ?? []).map((p) => ({
              aggregationType: p.aggregationType!,
              aggregationExpression: p.aggregationExpression!,
              userContributionLimit: p.userContributionLimit ?? 1,
              ...(p.minColumnValue !== undefined ? { minColumnValue: p.minColumnValue } : {}),
              ...(p.maxColumnValue !== undefined ? { maxColumnValue: p.maxColumnValue } : {}),
            })),
          }
        : null,
  };
  if (record.status !== state.status && (finalStatuses as readonly string[]).includes(state.status)) {
    const db = await getDb();
    // When it ended by Clean Rooms' clock (its start and duration), not when the console noticed.
    const created = protectedQuery!.createTime;
    const finishedAt = created && state.durationMs !== null ? new Date(created.getTime() + state.durationMs) : new Date();
    await db.update(consoleQueries).set({ status: state.status, error: state.error, finishedAt }).where(eq(consoleQueries.id, queryId));
  }
  return state;
}

/** The console's record of a query, only within the actor's organization. */
export async function recordOf(actor: Actor, queryId: string): Promise<ConsoleQuery | undefined> {
  const db = await getDb();
  const [record] = await db
    .select()
    .from(consoleQueries)
    .where(and(eq(consoleQueries.id, queryId), eq(consoleQueries.organizationId, actor.orgId)));
  return record;
}

export async function cancelQuery(actor: Actor, queryId: string): Promise<void> {
  const record = await recordOf(actor, queryId);
  if (!record) throw new AppError("not_found", "There is no such query.");
  const clients = await awsClientsFor(actor);
  await awsCall("Cancelling the query", () =>
    clients.cleanrooms.send(new UpdateProtectedQueryCommand({ membershipIdentifier: record.membershipId, protectedQueryIdentifier: queryId, targetStatus: "CANCELLED" })),
  );
}

/** The result of a successful query, read from its S3 location: its columns, and up to `maxRows` rows. */
export async function readResult(actor: Actor, queryId: string, maxRows = 100_000): Promise<{ columns: string[]; rows: string[][]; truncated: boolean } | null> {
  const state = await getQuery(actor, queryId);
  if (!state || state.status !== "SUCCESS" || !state.resultLocation) return null;
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(state.resultLocation);
  if (!match) return null;
  const clients = await awsClientsFor(actor);
  const object = await awsCall("Reading the result", () => clients.s3.send(new GetObjectCommand({ Bucket: match[1]!, Key: match[2]! })));
  let columns: string[];
  let rows: string[][];
  if (match[2]!.endsWith(".parquet")) {
    ({ columns, rows } = await parquetPreview(object.Body as Readable, maxRows + 1));
  } else {
    const parsed = parseCsvRows(await object.Body!.transformToString("utf8"), maxRows + 2, false);
    [columns = [], ...rows] = parsed;
  }
  const db = await getDb();
  await db.update(consoleQueries).set({ rows: rows.length }).where(eq(consoleQueries.id, queryId));
  return { columns, rows: rows.slice(0, maxRows), truncated: rows.length > maxRows };
}

/** The actor's own queries, newest first (the workbench's history). */
export async function ownQueries(actor: Actor, limit = 50): Promise<ConsoleQuery[]> {
  const db = await getDb();
  return db.select().from(consoleQueries).where(eq(consoleQueries.userId, actor.userId)).orderBy(desc(consoleQueries.startedAt)).limit(limit);
}

export interface QueryLogFilter {
  status?: string;
  user?: string;
  collaborationId?: string;
  from?: Date;
  to?: Date;
  search?: string;
}

function logConditions(organizationId: string, filter: QueryLogFilter) {
  const conditions = [eq(consoleQueries.organizationId, organizationId)];
  if (filter.status) conditions.push(eq(consoleQueries.status, filter.status));
  if (filter.user) conditions.push(eq(consoleQueries.userEmail, filter.user.toLowerCase()));
  if (filter.collaborationId) conditions.push(eq(consoleQueries.collaborationId, filter.collaborationId));
  if (filter.from) conditions.push(gte(consoleQueries.startedAt, filter.from));
  if (filter.to) conditions.push(lt(consoleQueries.startedAt, filter.to));
  if (filter.search) conditions.push(ilike(consoleQueries.sql, `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
  return and(...conditions)!;
}

/**
 * A page of the organization's query log, newest first, paged in SQL by start time. Queries still
 * running are asked for their state first, so the log shows how they ended.
 */
export async function listQueryLog(actor: Actor, filter: QueryLogFilter, page: { offset: number; limit: number }): Promise<{ queries: ConsoleQuery[]; total: number }> {
  const db = await getDb();
  const where = logConditions(actor.orgId, filter);
  let queries = await db.select().from(consoleQueries).where(where).orderBy(desc(consoleQueries.startedAt), desc(consoleQueries.id)).limit(page.limit).offset(page.offset);
  const unfinished = queries.filter((q) => !(finalStatuses as readonly string[]).includes(q.status));
  if (unfinished.length) {
    await Promise.all(unfinished.map((q) => getQuery(actor, q.id).catch(() => null)));
    queries = await db.select().from(consoleQueries).where(where).orderBy(desc(consoleQueries.startedAt), desc(consoleQueries.id)).limit(page.limit).offset(page.offset);
  }
  const [{ total }] = (await db.select({ total: count() }).from(consoleQueries).where(where)) as [{ total: number }];
  return { queries, total: Number(total) };
}

/** Every entry matching the filter, for the CSV export, a thousand at a time. */
export async function* queryLogRows(actor: Actor, filter: QueryLogFilter): AsyncGenerator<ConsoleQuery> {
  const db = await getDb();
  const where = logConditions(actor.orgId, filter);
  for (let offset = 0; ; offset += 1000) {
    const rows = await db.select().from(consoleQueries).where(where).orderBy(desc(consoleQueries.startedAt), desc(consoleQueries.id)).limit(1000).offset(offset);
    yield* rows;
    if (rows.length < 1000) return;
  }
}
