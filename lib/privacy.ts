import { meanAbsoluteNoise, selectionThreshold, type AggregationType } from "@/server/engine/privacy/accounting";

export { selectionThreshold };

// Differential privacy as the console shows it: a collaboration's budget, what a query costs,
// and how far a noisy number may be from the truth (docs/privacy.md has the formulas).

export interface PrivacyBudgetView {
  templateId: string;
  creatorAccountId: string;
  epsilon: number;
  usersNoisePerQuery: number;
  autoRefresh: "CALENDAR_MONTH" | "NONE";
  aggregations: { type: string; maxCount: number; remainingCount: number }[];
}

/** What a query on differentially private tables reports of each aggregation's bounds (sensitivityParameters). */
export interface SensitivityParameter {
  aggregationType: string;
  aggregationExpression: string;
  userContributionLimit: number;
  minColumnValue?: number;
  maxColumnValue?: number;
}

/** What the check says a query on differentially private tables will take from the budget. */
export interface QueryPrivacyCost {
  measurements: number;
  usersNoisePerQuery: number;
  /** measurements / usersNoisePerQuery, the epsilon the query spends. */
  epsilon: number;
  /** Whether what is left certainly cannot cover it (the budget reports counts, not epsilon). */
  exceedsBudget: boolean;
  aggregations: { type: AggregationType; expression: string; column: string; expectedError: string }[];
  /** For a query with GROUP BY: the noisy user count a group needs to appear, when each user has one row. */
  groupThreshold: number | null;
}

export const aggregationLabels: Record<string, string> = { AVG: "AVG", COUNT: "COUNT", COUNT_DISTINCT: "COUNT DISTINCT", SUM: "SUM", STDDEV: "STDDEV" };

/** ε with up to four decimals, as people read it. */
export const formatEpsilon = (epsilon: number) => `ε ${Number(epsilon.toFixed(4))}`;

/** Before a query runs, its error in words: the noise hides about usersNoisePerQuery users' contributions. */
export function expectedErrorBefore(type: AggregationType, usersNoisePerQuery: number): string {
  const n = usersNoisePerQuery;
  if (type === "COUNT" || type === "COUNT_DISTINCT") return `about ±${n} × the rows one user may contribute (±${n} when each user has one row)`;
  if (type === "SUM") return `about ±${n} × the rows one user may contribute × the column's largest value`;
  if (type === "AVG") return `the SUM's error divided by the number of rows`;
  return `grows with the column's range over the square root of the number of rows`;
}

/** After a query ran, from its sensitivity parameters: the mean absolute noise of its COUNT or SUM. */
export function expectedErrorAfter(parameter: SensitivityParameter, usersNoisePerQuery: number): number | null {
  const scale = usersNoisePerQuery * parameter.userContributionLimit;
  if (parameter.aggregationType === "COUNT" || parameter.aggregationType === "COUNT_DISTINCT") return meanAbsoluteNoise(scale);
  if (parameter.aggregationType === "SUM") return scale * Math.max(Math.abs(parameter.minColumnValue ?? 0), Math.abs(parameter.maxColumnValue ?? 0));
  return null;
}

/**
 * Whether the budget certainly cannot cover `measurements`: each type's remainingCount is
 * ⌊R / m_type⌋ for R the measurements left, so R < (remainingCount + 1)·m_type for every type.
 */
export function certainlyExceeds(budget: PrivacyBudgetView, measurements: number, measurementsOf: (type: string) => number): boolean {
  if (!budget.aggregations.length) return false;
  return measurements >= Math.min(...budget.aggregations.map((a) => (a.remainingCount + 1) * measurementsOf(a.type)));
}

/** What a logged query spent of its collaboration's privacy budget, in words; null when it read no protected table. */
export function spentLabel(query: { status: string; privacyMeasurements: number | null; privacyUsersNoise: number | null }): string | null {
  if (query.privacyMeasurements === null || query.privacyUsersNoise === null) return null;
  const spent = formatEpsilon(query.privacyMeasurements / query.privacyUsersNoise);
  // A query cancelled before it started got its debit back; the API does not say which it was.
  return query.status === "CANCELLED" ? `${spent}, none if cancelled before it started` : spent;
}
