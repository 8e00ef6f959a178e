import { z } from "zod";
import { protectedQueryStatusWaitMs } from "@/server/config";
import { ANALYST_HEADER } from "@/lib/analyst-header";
import { QueryRefusal, checkAgainstRules, MAX_QUERY_LENGTH } from "@/server/engine/sql/validate";
import { toDuckDbParameters } from "@/server/engine/sql/parameters";
import { CostlyRefusalLimiter } from "@/server/engine/sql/limits";
import { CloudError } from "../../../errors";
import { route } from "../../../protocols/rest-json";
import { findBucket } from "../../s3/store";
import { ownedMembership, ownMembership, type Membership } from "../access";
import { accessDenied, arn, conflict, identifier, invalid, notFound, pageInput, pageResources, resolveId } from "../common";
import type { AnalysisTemplateBody, CollaborationBody, MembershipBody, ProtectedQueryBody } from "../model";
import { askingAbout, changeResource, findByArn, findResourcesById, findWithCollaboration, insertResource, newId, nextWrite, type Resource } from "../resources";
import { chargeQuery, refundQuery, templateOf } from "../privacy-budgets";
import { catalogFor, checkPrivacyOwner } from "./catalog";
import { enqueue, interrupt, ownerOf, runsHere } from "./runner";

type ProtectedQuery = Resource<ProtectedQueryBody>;

const invalidQuery = (message: string) => new CloudError(400, "ValidationException", message, { reason: "INVALID_QUERY" });

const s3Output = z.object({ resultFormat: z.enum(["CSV", "PARQUET"]), bucket: z.string().min(3).max(63), keyPrefix: z.string().max(512).optional(), singleFileOutput: z.boolean().optional() });
const startInput = z.looseObject({
  membershipIdentifier: identifier,
  type: z.enum(["SQL"]),
  sqlParameters: z.object({
    queryString: z.string().min(0).max(MAX_QUERY_LENGTH).optional(),
    analysisTemplateArn: z.string().max(200).optional(),
    parameters: z.record(z.string().max(100), z.string().max(250)).optional(),
  }),
  resultConfiguration: z.looseObject({ outputConfiguration: z.looseObject({ s3: s3Output.optional(), member: z.looseObject({ accountId: z.string() }).optional() }) }).optional(),
  computeConfiguration: z.unknown().optional(),
});

function shape(query: ProtectedQuery, membership: Membership) {
  const { body } = query;
  return {
    id: query.id,
    membershipId: membership.id,
    membershipArn: membership.arn,
    createTime: new Date(query.createTime).getTime() / 1000,
    sqlParameters: body.sqlParameters,
    status: body.status,
    resultConfiguration: body.resultConfiguration,
    ...(body.statistics ? { statistics: body.statistics } : {}),
    ...(body.result ? { result: body.result } : {}),
    ...(body.error ? { error: body.error } : {}),
    ...(body.differentialPrivacy ? { differentialPrivacy: body.differentialPrivacy } : {}),
  };
}

// An account whose queries keep hitting the check's size or time limits is refused at once for a
// while. Counted per account, not per key or session: a member can mint those at will.
const starts = new CostlyRefusalLimiter();

const inProgress = new Set(["SUBMITTED", "STARTED", "CANCELLING"]);

// When each query was last asked about: asked again within POLLED_WITHIN_MS, it is being polled.
// Starting a query counts as asking: the client that started it polls it from then on.
const POLLED_WITHIN_MS = 2_000;
const lastAsked = new Map<string, number>();

/** Records a question about the query (or its start); true when it was asked about within POLLED_WITHIN_MS before. */
function askedBefore(id: string): boolean {
  const now = performance.now();
  const before = lastAsked.get(id);
  lastAsked.delete(id);
  lastAsked.set(id, now);
  // Oldest first out: a Map iterates in insertion order.
  for (const [old, at] of lastAsked) {
    if (lastAsked.size <= 10_000 && now - at < POLLED_WITHIN_MS) break;
    lastAsked.delete(old);
  }
  return before !== undefined && now - before < POLLED_WITHIN_MS;
}

async function ownQuery(membershipIdentifier: string, queryIdentifier: string, caller: Parameters<typeof ownMembership>[1]) {
  // The membership and the query in one read: clients poll this while their queries run.
  const [membershipId, queryId] = [resolveId(membershipIdentifier), resolveId(queryIdentifier)];
  const rows = await findResourcesById([membershipId, queryId]);
  const membership = ownedMembership(rows.find((r) => r.id === membershipId && r.kind === "membership") as Membership | undefined, membershipIdentifier, caller);
  const query = rows.find((r) => r.id === queryId && r.kind === "protectedQuery") as ProtectedQuery | undefined;
  if (!query || query.membershipId !== membership.id) throw notFound("PROTECTED_QUERY", queryIdentifier, "protected query");
  return { membership, query };
}

/** Who started a query: an assumed role's session (its name survives the renewal of its keys) or the access key, and the analyst it names. */
function submitterOf(caller: Parameters<typeof ownMembership>[1], analyst: string | undefined): string {
  const principal = caller.assumedRole ? `assumed-role/${caller.assumedRole.roleName}/${caller.assumedRole.sessionName}` : caller.accessKeyId;
  const label = analyst?.trim().slice(0, 128);
  return label ? `${principal}#${label}` : principal;
}

export const protectedQueryRoutes = [
  route("StartProtectedQuery", "POST", "/memberships/{membershipIdentifier}/protectedQueries", 200, startInput, async ({ input, caller, header }) => {
    // The membership and its collaboration in one read.
    const found = await findWithCollaboration<MembershipBody, CollaborationBody>("membership", resolveId(input.membershipIdentifier));
    const membership = ownedMembership(found.resource, input.membershipIdentifier, caller, { activeOnly: true });
    const collaboration = found.collaboration!;
    const me = collaboration.body.members.find((m) => m.accountId === caller.accountId)!;
    if (!me.abilities.includes("CAN_QUERY")) throw accessDenied("Only a member who can query may start protected queries.");
    const { queryString, analysisTemplateArn } = input.sqlParameters;
    if ((queryString === undefined) === (analysisTemplateArn === undefined)) throw invalid("sqlParameters", "Give either queryString or analysisTemplateArn.");

    // Validate now, so a refusal explains itself at once; the runner checks again before running.
    const { catalog } = await catalogFor(collaboration, caller.accountId);
    let sql = queryString ?? "";
    let source: { kind: "sql" } | { kind: "template"; arn: string } = { kind: "sql" };
    if (analysisTemplateArn !== undefined) {
      const template = (await findByArn(analysisTemplateArn)) as Resource<AnalysisTemplateBody> | undefined;
      if (!template || template.kind !== "analysisTemplate" || template.collaborationId !== collaboration.id)
        throw invalid("sqlParameters.analysisTemplateArn", `No analysis template ${analysisTemplateArn} in this collaboration.`);
      sql = toDuckDbParameters(String(template.body.source.text)).sql;
      source = { kind: "template", arn: analysisTemplateArn };
      const unknown = Object.keys(input.sqlParameters.parameters ?? {}).find((p) => !template.body.analysisParameters.some((d) => d.name === p));
      if (unknown) throw invalid("sqlParameters.parameters", `The analysis template has no parameter "${unknown}".`);
    }
    let validated;
    try {
      validated = await starts.guard(caller.accountId, () => checkAgainstRules(sql, catalog, source));
      checkPrivacyOwner(collaboration, validated.privacy);
    } catch (error) {
      if (error instanceof QueryRefusal) throw invalidQuery(error.message);
      throw error;
    }
    // The SQL it runs is rendered on DuckDB's thread while this one records the query, and found
    // rendered by the runner's check (a tree DuckDB cannot render back fails the query there).
    // A differentially private query runs its plan, not this SQL.
    if (!validated.privacy) validated.render().catch(() => {});

    // Results go only to a member who can receive them, into a bucket of that member's account.
    const output =
      input.resultConfiguration?.outputConfiguration.s3 ??
      (membership.body.defaultResultConfiguration as { outputConfiguration?: { s3?: z.output<typeof s3Output> } } | undefined)?.outputConfiguration?.s3;
    if (input.resultConfiguration?.outputConfiguration.member) throw invalid("resultConfiguration.outputConfiguration.member", "The local cloud delivers results to S3; give outputConfiguration.s3.");
    if (!output) throw invalid("resultConfiguration", "No result configuration: give one, or set the membership's defaultResultConfiguration.");
    if (!me.abilities.includes("CAN_RECEIVE_RESULTS")) throw accessDenied("You cannot receive results in this collaboration, so you cannot send them to S3.");
    const bucket = await findBucket(output.bucket);
    if (!bucket || bucket.accountId !== caller.accountId)
      throw invalid("resultConfiguration.outputConfiguration.s3.bucket", `Bucket "${output.bucket}" is not a bucket of your account ${caller.accountId}.`);

    const id = newId();
    const submittedBy = submitterOf(caller, header(ANALYST_HEADER));
    const body: ProtectedQueryBody = { region: caller.region, status: "SUBMITTED", submittedBy, sqlParameters: input.sqlParameters, resultConfiguration: { outputConfiguration: { s3: output } } };
    const record = (tx?: Parameters<typeof insertResource>[1]) =>
      insertResource(
        {
          id,
          kind: "protectedQuery",
          accountId: caller.accountId,
          collaborationId: collaboration.id,
          membershipId: membership.id,
          arn: arn(caller, caller.accountId, `membership/${membership.id}/protectedquery/${id}`),
          name: id,
          body,
        },
        tx,
      );
    let query: ProtectedQuery;
    if (validated.privacy) {
      // A differentially private query is paid for before it exists, from the budget of the member
      // whose tables it reads: recorded only if that budget covers it.
      const owner = validated.privacy.protectedOwnerAccountId;
      const template = await templateOf(collaboration.id, owner);
      if (!template)
        throw invalidQuery(`No privacy budget template protects the differentially private tables of account ${owner} in this collaboration, so queries on them cannot run; that member creates one.`);
      await chargeQuery(template, id, validated.privacy.measurements, async (tx) => void (query = await record(tx)));
    } else {
      query = await record();
    }
    enqueue(id, ownerOf(query!));
    askedBefore(id);
    return { protectedQuery: shape(query!, membership) };
  }),

  route(
    "GetProtectedQuery",
    "GET",
    "/memberships/{membershipIdentifier}/protectedQueries/{protectedQueryIdentifier}",
    200,
    z.looseObject({ membershipIdentifier: identifier, protectedQueryIdentifier: identifier }),
    async ({ input, caller }) => {
      // A client polling a query in progress that runs here is answered when the query ends (its
      // status written SUCCESS, FAILED, CANCELLED or TIMED_OUT), or after
      // protectedQueryStatusWaitMs: it sees the end at once, not at its next poll. Passing through
      // STARTED does not answer it: a client polls for the end, and a poll answered at STARTED
      // would see the end only at its next one. A question not repeated soon (a page showing the
      // query) is answered at once. Watching starts before each read, so a move between the two
      // is not missed.
      const id = resolveId(input.protectedQueryIdentifier);
      // Counted while it is answered: the query's sandbox closes only after (runner.ts).
      const answered = askingAbout(id);
      const waitMs = protectedQueryStatusWaitMs();
      const until = performance.now() + waitMs;
      let next = askedBefore(id) && waitMs > 0 ? nextWrite(id, waitMs) : null;
      try {
        let { membership, query } = await ownQuery(input.membershipIdentifier, input.protectedQueryIdentifier, caller);
        while (next && inProgress.has(query.body.status) && runsHere(query.id)) {
          await next.written;
          next.stop();
          const left = until - performance.now();
          next = left > 0 ? nextWrite(id, left) : null;
          ({ membership, query } = await ownQuery(input.membershipIdentifier, input.protectedQueryIdentifier, caller));
        }
        return { protectedQuery: shape(query, membership) };
      } finally {
        next?.stop();
        answered();
      }
    },
  ),

  route(
    "ListProtectedQueries",
    "GET",
    "/memberships/{membershipIdentifier}/protectedQueries",
    200,
    z.looseObject({ membershipIdentifier: identifier, status: z.enum(["SUBMITTED", "STARTED", "CANCELLED", "CANCELLING", "FAILED", "SUCCESS", "TIMED_OUT"]).optional(), ...pageInput }),
    async ({ input, caller }) => {
      const membership = await ownMembership(input.membershipIdentifier, caller);
      const { page, nextToken } = await pageResources<ProtectedQueryBody>(
        { kind: "protectedQuery", membershipId: membership.id, ...(input.status ? { statuses: [input.status] } : {}) },
        input.nextToken,
        input.maxResults,
      );
      return {
        protectedQueries: page.map((q) => ({
          id: q.id,
          membershipId: membership.id,
          membershipArn: membership.arn,
          createTime: new Date(q.createTime).getTime() / 1000,
          status: q.body.status,
          receiverConfigurations: [{ analysisType: "DIRECT_ANALYSIS" }],
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  ),

  route(
    "UpdateProtectedQuery",
    "PATCH",
    "/memberships/{membershipIdentifier}/protectedQueries/{protectedQueryIdentifier}",
    200,
    z.looseObject({ membershipIdentifier: identifier, protectedQueryIdentifier: identifier, targetStatus: z.enum(["CANCELLED"]) }),
    async ({ input, caller }) => {
      const { membership, query } = await ownQuery(input.membershipIdentifier, input.protectedQueryIdentifier, caller);
      // Under the query's row lock: the runner's start and its delivery of the result serialize
      // with this, so an acknowledged cancel is never followed by a result.
      const outcome = await changeResource<ProtectedQueryBody>(query.id, async (current, tx) => {
        if (current.body.status === "SUBMITTED") {
          // It never read a row: a differentially private query gets its debit back.
          await refundQuery(current.id, tx);
          return { ...current.body, status: "CANCELLED" };
        }
        if (current.body.status === "STARTED") return { ...current.body, status: "CANCELLING" };
        return null;
      });
      if (!outcome?.changed) throw conflict("INVALID_STATE", `The query is ${outcome?.resource.body.status ?? query.body.status}; only SUBMITTED or STARTED queries can be cancelled.`, query.id);
      if (outcome.resource.body.status === "CANCELLING") interrupt(query.id);
      return { protectedQuery: shape(outcome.resource, membership) };
    },
  ),
];
