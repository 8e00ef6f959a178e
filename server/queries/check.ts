import "server-only";
import { AppError } from "@/lib/errors";
import { certainlyExceeds, expectedErrorBefore, type QueryPrivacyCost } from "@/lib/privacy";
import type { Actor } from "@/server/auth/actor";
import { awsClientsFor, type AwsClients } from "@/server/aws/clients";
import { awsCall } from "@/server/aws/errors";
import { schemasOf } from "@/server/collaborations/collaborations";
import { privacyBudgetOf } from "@/server/collaborations/privacy-budget";
import { selectionThreshold, singleAggregationMeasurements, type AggregationType } from "@/server/engine/privacy/accounting";
import type { QueryCatalog, QuerySource } from "@/server/engine/sql/catalog";
import { isPrivacyProtected, type PrivacyPlan } from "@/server/engine/sql/differential-privacy";
import { QueryRefusal, checkAgainstRules } from "@/server/engine/sql/validate";
import { CostlyRefusal, CostlyRefusalLimiter, LIVE_CHECK_TIME_LIMIT_MS } from "@/server/engine/sql/limits";
import { recordAudit } from "@/server/audit/audit";

// The workbench's check as you type: the engine's own validator, run in the console on what this
// member sees of the collaboration through the Clean Rooms API (schemas and their analysis
// rules), so it works the same against the local cloud and against AWS, and tells the analyst
// before Run what StartProtectedQuery would answer, and, on differentially private tables, what
// the query will take from the privacy budget.

export type QueryCheck = { verdict: "allowed"; message: string; privacy?: QueryPrivacyCost } | { verdict: "refused"; message: string; position?: number };

const ruleNames = { AGGREGATION: "aggregation", LIST: "list", CUSTOM: "custom" } as const;

async function catalogFrom(clients: AwsClients, collaborationId: string): Promise<QueryCatalog> {
  if (!/^[\da-f-]{36}$/.test(collaborationId)) throw new AppError("not_found", "There is no such collaboration.");
  const tables = await awsCall("Reading the collaboration's tables", () => schemasOf(clients, collaborationId));
  return {
    tables: tables.map(({ name, ownerAccountId, columns, rule, resultReceivers }) => ({ name, ownerAccountId, columns, rule, ...(resultReceivers ? { resultReceivers } : {}) })),
    runnerAccountId: clients.accountId,
  };
}

/** The catalog the engine would validate this member's queries against, read through the API. */
export async function catalogOf(actor: Actor, collaborationId: string): Promise<QueryCatalog> {
  return catalogFrom(await awsClientsFor(actor), collaborationId);
}

/** What a planned query costs against the collaboration's budget; a refusal when there is no budget. */
async function privacyCost(clients: AwsClients, collaborationId: string, plan: PrivacyPlan): Promise<QueryPrivacyCost> {
  const budget = await awsCall("Reading the privacy budget", () => privacyBudgetOf(clients, collaborationId, plan.protectedOwnerAccountId));
  if (!budget) {
    throw new QueryRefusal(
      `No privacy budget template protects the differentially private tables of account ${plan.protectedOwnerAccountId} in this collaboration, so queries on them cannot run; that member creates one.`,
    );
  }
  const n = budget.usersNoisePerQuery;
  return {
    measurements: plan.measurements,
    usersNoisePerQuery: n,
    epsilon: plan.measurements / n,
    exceedsBudget: certainlyExceeds(budget, plan.measurements, (type) => singleAggregationMeasurements(type as AggregationType)),
    aggregations: plan.aggregations.map((a, i) => ({
      type: a.type,
      expression: a.expression,
      column: plan.outputs.find((o) => "aggregation" in o && o.aggregation === i)!.name,
      expectedError: expectedErrorBefore(a.type, n),
    })),
    groupThreshold: plan.groupCount ? selectionThreshold(n, 1) : null,
  };
}

const liveChecks = new CostlyRefusalLimiter();

export async function checkQuery(actor: Actor, collaborationId: string, sql: string): Promise<QueryCheck> {
  const clients = await awsClientsFor(actor);
  const catalog = await catalogFrom(clients, collaborationId);
  try {
    // The live check runs on every pause in typing: a shorter time limit, and a caller whose checks
    // keep hitting the limits is refused at once for a while (server/engine/sql/limits.ts).
    const { ruleType, privacy } = await liveChecks.guard(actor.userId, () => checkAgainstRules(sql, catalog, { kind: "sql" }, { timeLimitMs: LIVE_CHECK_TIME_LIMIT_MS }));
    if (!privacy) return { verdict: "allowed", message: `The ${ruleNames[ruleType]} rules of the tables it reads allow this query.` };
    const cost = await privacyCost(clients, collaborationId, privacy);
    const message = cost.exceedsBudget
      ? `The rules allow this query, but the privacy budget left cannot cover it: it needs ${privacy.measurements} noisy measurements.`
      : `Differential privacy allows this query; it spends ${privacy.measurements} noisy measurements of the budget.`;
    return { verdict: "allowed", message, privacy: cost };
  } catch (error) {
    if (!(error instanceof QueryRefusal)) throw error;
    // A check that hit the limits is no longer invisible: the organization's audit log keeps it (at most a few a minute, limits.ts).
    if (error instanceof CostlyRefusal) {
      await recordAudit({
        organizationId: actor.orgId,
        userId: actor.userId,
        userEmail: actor.email,
        action: "queries.check",
        target: collaborationId,
        outcome: "error",
        detail: { message: error.message, characters: sql.length },
      });
    }
    return { verdict: "refused", message: error.message, ...(error.position !== undefined ? { position: error.position } : {}) };
  }
}

/**
 * For the query log: the measurements a query will take and the noise in force, when it reads
 * differentially private tables; null otherwise, or when it cannot be planned (Clean Rooms will
 * then refuse it and say why).
 */
export async function privacyCostOf(actor: Actor, collaborationId: string, sql: string, source: QuerySource): Promise<{ measurements: number; usersNoise: number } | null> {
  try {
    const clients = await awsClientsFor(actor);
    const catalog = await catalogFrom(clients, collaborationId);
    if (!catalog.tables.some(isPrivacyProtected)) return null;
    const { privacy } = await checkAgainstRules(sql, catalog, source);
    if (!privacy) return null;
    const budget = await privacyBudgetOf(clients, collaborationId, privacy.protectedOwnerAccountId);
    return budget ? { measurements: privacy.measurements, usersNoise: budget.usersNoisePerQuery } : null;
  } catch {
    return null;
  }
}
