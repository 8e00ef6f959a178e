import { createHash } from "node:crypto";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import { z } from "zod";
import { getDb, type Db } from "@/server/db/client";
import {
  addFractions,
  aggregationTypes,
  budgetPeriod,
  costOf,
  countFitting,
  fraction,
  fractionAtMost,
  fractionToNumber,
  maxCounts,
  subtractFractions,
  type Fraction,
} from "@/server/engine/privacy/accounting";
import { formatEpsilon } from "@/lib/privacy";
import { CloudError } from "../../errors";
import { route } from "../../protocols/rest-json";
import { privacyLedger } from "../../store/schema";
import { ownMembership, visibleCollaboration, type Collaboration } from "./access";
import { epoch, identifier, invalid, pageInput } from "./common";
import type { PrivacyBudgetTemplateBody } from "./model";
import { changeResource, findResource, listResources, type Resource } from "./resources";

// Privacy budgets: one per member whose tables differential privacy protects, per collaboration,
// set by that member's privacy budget template and spent by the queries that read those tables.
// The ledger (store/schema.ts, privacy_ledger) holds one debit per query, kept under the
// collaboration and the owner, not under a template: what a budget has left is the template's
// epsilon minus the debits in its window, computed exactly (fractions), so ListPrivacyBudgets
// and the ledger cannot disagree, and no change to a template row can give spend back.

type Template = Resource<PrivacyBudgetTemplateBody>;

export const epsilon = z.number().int("epsilon must be a whole number from 1 to 20.").min(1).max(20);
export const usersNoisePerQuery = z.number().int("usersNoisePerQuery must be a whole number from 10 to 100.").min(10).max(100);

/** Every budget of the collaboration: one per member who set a template. */
export function templatesOf(collaborationId: string): Promise<Template[]> {
  return listResources<PrivacyBudgetTemplateBody>({ kind: "privacyBudgetTemplate", collaborationId });
}

/**
 * The template of the member who owns the differentially private tables, in this collaboration.
 * Looked up by owner, not by its derived id (templateIdFor): templates made before ids were
 * derived have random ones.
 */
export async function templateOf(collaborationId: string, ownerAccountId: string): Promise<Template | undefined> {
  return (await templatesOf(collaborationId)).find((t) => t.accountId === ownerAccountId);
}

/** A UUID-shaped id that follows from `seed`: the same seed, the same id. */
function derivedId(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The budget's own id: derived from its template's, as there is exactly one per template. */
export const budgetId = (templateId: string) => derivedId(`privacy-budget:${templateId}`);

/**
 * A template's id follows from whose budget it sets (the collaboration and the member), so two
 * creations racing for one budget collide in the store, and a template re-created after a delete
 * is the same budget's template again.
 */
export const templateIdFor = (collaborationId: string, accountId: string) => derivedId(`privacy-budget-template:${collaborationId}:${accountId}`);

/** Whose budget: the collaboration and the member whose tables it protects. */
export interface BudgetOwner {
  collaborationId: string;
  ownerAccountId: string;
}

export const ownerOfTemplate = (template: Template): BudgetOwner => ({ collaborationId: template.collaborationId!, ownerAccountId: template.accountId });

/**
 * What the owner's debits in the window of `period` add up to, as a fraction of epsilon; refunded
 * debits do not count. A monthly window counts its month's debits and every debit taken while
 * the budget never refreshed ("ALL"); a budget that never refreshes counts every debit ever. So
 * switching the refresh (by deleting and re-creating a template) never makes spend disappear.
 */
export async function spentIn(owner: BudgetOwner, period: string, within?: Db): Promise<Fraction> {
  const db = within ?? (await getDb());
  const inWindow = period === "ALL" ? undefined : or(eq(privacyLedger.period, period), eq(privacyLedger.period, "ALL"));
  const debits = await db
    .select({ measurements: privacyLedger.measurements, noise: privacyLedger.usersNoisePerQuery })
    .from(privacyLedger)
    .where(and(eq(privacyLedger.collaborationId, owner.collaborationId), eq(privacyLedger.ownerAccountId, owner.ownerAccountId), isNull(privacyLedger.refundedAt), inWindow));
  return debits.reduce((sum, d) => addFractions(sum, costOf(d.measurements, d.noise)), fraction(0));
}

/** Whether any query has ever been charged to the owner's budget in this collaboration (and not refunded). */
export async function everSpent(owner: BudgetOwner, within?: Db): Promise<boolean> {
  return (await spentIn(owner, "ALL", within)).num > 0n;
}

export interface BudgetState {
  epsilon: number;
  spent: Fraction;
  remaining: Fraction;
  period: string;
}

export async function budgetState(template: Template, at = new Date(), within?: Db): Promise<BudgetState> {
  const period = budgetPeriod(template.body.autoRefresh, at);
  const spent = await spentIn(ownerOfTemplate(template), period, within);
  const remaining = subtractFractions(fraction(template.body.epsilon), spent);
  return { epsilon: template.body.epsilon, spent, remaining: remaining.num < 0n ? fraction(0) : remaining, period };
}

export class BudgetExhausted extends CloudError {
  constructor(template: Template, state: BudgetState, cost: Fraction) {
    const monthly = template.body.autoRefresh === "CALENDAR_MONTH" ? ` this month (it refreshes on the 1st, UTC)` : "";
    super(
      400,
      "ValidationException",
      `The privacy budget ${budgetId(template.id)} (template ${template.id}, epsilon ${state.epsilon}) has ${formatEpsilon(fractionToNumber(state.remaining))} left${monthly}; this query needs ${formatEpsilon(fractionToNumber(cost))}. It was not run.`,
      { reason: "INSUFFICIENT_PRIVACY_BUDGET" },
    );
  }
}

export interface Debit {
  measurements: number;
  usersNoisePerQuery: number;
}

/**
 * Debits a query's cost from the collaboration's budget and records the query, in one transaction
 * under the template's row lock: concurrent queries take their turn, so they can never together
 * spend more than the budget, and a query is recorded if and only if it was paid for.
 */
export async function chargeQuery(template: Template, queryId: string, measurements: number, record: (tx: Db, debit: Debit) => Promise<void>, at = new Date()): Promise<Debit> {
  let debit: Debit | undefined;
  const charged = await changeResource<PrivacyBudgetTemplateBody>(template.id, async (current, tx) => {
    const state = await budgetState(current, at, tx);
    const cost = costOf(measurements, current.body.usersNoisePerQuery);
    if (!fractionAtMost(cost, state.remaining)) throw new BudgetExhausted(current, state, cost);
    debit = { measurements, usersNoisePerQuery: current.body.usersNoisePerQuery };
    await tx.insert(privacyLedger).values({ queryId, templateId: current.id, ...ownerOfTemplate(current), period: state.period, createdAt: at, ...debit });
    await record(tx, debit);
    // The ledger is the budget: the template row is only locked, not changed.
    return null;
  });
  if (!charged || !debit) throw new CloudError(400, "ValidationException", "The privacy budget template was deleted while the query was submitted; it was not run.", { reason: "INVALID_QUERY" });
  return debit;
}

/** The debit of a query, if it was charged. */
export async function debitOf(queryId: string): Promise<(Debit & { refunded: boolean; ownerAccountId: string }) | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(privacyLedger).where(eq(privacyLedger.queryId, queryId));
  return row && { measurements: row.measurements, usersNoisePerQuery: row.usersNoisePerQuery, refunded: row.refundedAt !== null, ownerAccountId: row.ownerAccountId };
}

/** Gives a query's debit back: only for queries that never read a row (refused or cancelled before running). */
export async function refundQuery(queryId: string, within?: Db): Promise<void> {
  const db = within ?? (await getDb());
  await db
    .update(privacyLedger)
    .set({ refundedAt: new Date() })
    .where(and(eq(privacyLedger.queryId, queryId), isNull(privacyLedger.refundedAt)));
}

async function budgetShape(template: Template, collaboration: Collaboration | undefined) {
  const state = await budgetState(template);
  const n = template.body.usersNoisePerQuery;
  const db = await getDb();
  const [last] = await db
    .select({ at: privacyLedger.createdAt })
    .from(privacyLedger)
    .where(and(eq(privacyLedger.collaborationId, template.collaborationId!), eq(privacyLedger.ownerAccountId, template.accountId)))
    .orderBy(desc(privacyLedger.createdAt))
    .limit(1);
  return {
    id: budgetId(template.id),
    privacyBudgetTemplateId: template.id,
    privacyBudgetTemplateArn: template.arn,
    collaborationId: template.collaborationId,
    collaborationArn: collaboration?.arn ?? "",
    type: "DIFFERENTIAL_PRIVACY",
    createTime: epoch(template.createTime),
    updateTime: epoch(last && last.at > template.updateTime ? last.at : template.updateTime),
    budget: {
      differentialPrivacy: {
        epsilon: template.body.epsilon,
        aggregations: aggregationTypes.map((type) => ({ type, maxCount: countFitting(fraction(state.epsilon), n, type), remainingCount: countFitting(state.remaining, n, type) })),
      },
    },
  };
}

const budgetType = z.enum(["DIFFERENTIAL_PRIVACY", "ACCESS_BUDGET"]);

function onlyDifferentialPrivacy(type: string) {
  if (type !== "DIFFERENTIAL_PRIVACY") throw invalid("privacyBudgetType", "The local cloud keeps DIFFERENTIAL_PRIVACY budgets.");
}

export const privacyBudgetRoutes = [
  route(
    "ListPrivacyBudgets",
    "GET",
    "/memberships/{membershipIdentifier}/privacybudgets",
    200,
    z.looseObject({ membershipIdentifier: identifier, privacyBudgetType: budgetType, ...pageInput }),
    async ({ input, caller }) => {
      onlyDifferentialPrivacy(input.privacyBudgetType);
      const membership = await ownMembership(input.membershipIdentifier, caller);
      const collaboration = (await findResource("collaboration", membership.collaborationId!)) as Collaboration | undefined;
      const summaries = [];
      for (const template of await templatesOf(membership.collaborationId!))
        summaries.push({ ...(await budgetShape(template, collaboration)), membershipId: membership.id, membershipArn: membership.arn });
      return { privacyBudgetSummaries: summaries };
    },
  ),

  route(
    "ListCollaborationPrivacyBudgets",
    "GET",
    "/collaborations/{collaborationIdentifier}/privacybudgets",
    200,
    z.looseObject({ collaborationIdentifier: identifier, privacyBudgetType: budgetType, ...pageInput }),
    async ({ input, caller }) => {
      onlyDifferentialPrivacy(input.privacyBudgetType);
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const summaries = [];
      for (const template of await templatesOf(collaboration.id)) summaries.push({ ...(await budgetShape(template, collaboration)), creatorAccountId: template.accountId });
      return { collaborationPrivacyBudgetSummaries: summaries };
    },
  ),

  route(
    "PreviewPrivacyImpact",
    "POST",
    "/memberships/{membershipIdentifier}/previewprivacyimpact",
    200,
    z.looseObject({
      membershipIdentifier: identifier,
      parameters: z.object({
        differentialPrivacy: z.object({ epsilon, usersNoisePerQuery }),
      }),
    }),
    async ({ input, caller }) => {
      await ownMembership(input.membershipIdentifier, caller);
      const preview = input.parameters.differentialPrivacy;
      return { privacyImpact: { differentialPrivacy: { aggregations: maxCounts(preview.epsilon, preview.usersNoisePerQuery) } } };
    },
  ),
];
