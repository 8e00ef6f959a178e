// How much privacy a differentially private query spends, and how many queries a budget allows.
//
// Every noisy number the engine computes from protected rows is a *measurement*: a statistic
// whose total change, when one user's rows are added or removed, is at most Δ (its sensitivity,
// after each user's contribution is bounded), released with discrete Laplace noise of scale
// b = usersNoisePerQuery · Δ. One measurement is therefore (Δ/b) = (1/usersNoisePerQuery)-DP,
// and its noise is, on average, about as large as the contribution of usersNoisePerQuery users.
// Measurements compose sequentially (pure DP): a query of m measurements costs
// m / usersNoisePerQuery of the budget's epsilon. docs/privacy.md gives the proof sketch.

export const aggregationTypes = ["AVG", "COUNT", "COUNT_DISTINCT", "SUM", "STDDEV"] as const;
export type AggregationType = (typeof aggregationTypes)[number];

/** Noisy statistics one aggregation takes: COUNT a count; SUM a clamped sum; AVG sum and count; STDDEV sum, sum of squares and count. */
export const statisticsOf: Record<AggregationType, number> = { COUNT: 1, COUNT_DISTINCT: 1, SUM: 1, AVG: 2, STDDEV: 3 };

/** Aggregations of values (not of rows) first estimate the range of their argument privately: one more measurement per argument. */
export const needsRange = (type: AggregationType) => type === "SUM" || type === "AVG" || type === "STDDEV";

/** Every query estimates, privately, how many rows one user may contribute: one measurement. */
export const CONTRIBUTION_MEASUREMENTS = 1;

/** A query with GROUP BY decides privately which groups appear (thresholded noisy user counts): one measurement. */
export const SELECTION_MEASUREMENTS = 1;

/**
 * The probability, per grouped query, that a group key made by a single user is shown
 * (the δ of the partition selection); the only part of the guarantee that is not pure ε.
 */
export const SELECTION_DELTA = 1e-8;

/** Measurements of a query with one aggregation of the given type and no GROUP BY: what maxCount counts. */
export function singleAggregationMeasurements(type: AggregationType): number {
  return CONTRIBUTION_MEASUREMENTS + (needsRange(type) ? 1 : 0) + statisticsOf[type];
}

/** An exact non-negative fraction of epsilon. */
export interface Fraction {
  num: bigint;
  den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

export function fraction(num: bigint | number, den: bigint | number = 1n): Fraction {
  const n = BigInt(num);
  const d = BigInt(den);
  const g = gcd(n, d) || 1n;
  return { num: n / g, den: d / g };
}

export const addFractions = (a: Fraction, b: Fraction) => fraction(a.num * b.den + b.num * a.den, a.den * b.den);
export const subtractFractions = (a: Fraction, b: Fraction) => fraction(a.num * b.den - b.num * a.den, a.den * b.den);
export const fractionAtMost = (a: Fraction, b: Fraction) => a.num * b.den <= b.num * a.den;
export const fractionToNumber = (a: Fraction) => Number(a.num) / Number(a.den);

/** What m measurements cost at the given noise: m / usersNoisePerQuery of epsilon. */
export const costOf = (measurements: number, usersNoisePerQuery: number) => fraction(measurements, usersNoisePerQuery);

/** How many whole queries of one aggregation of this type fit in `epsilon` (a fraction) at this noise. */
export function countFitting(epsilon: Fraction, usersNoisePerQuery: number, type: AggregationType): number {
  if (epsilon.num <= 0n) return 0;
  // ⌊ε / (m/n)⌋ = ⌊ε·n / m⌋, exactly.
  return Number((epsilon.num * BigInt(usersNoisePerQuery)) / (epsilon.den * BigInt(singleAggregationMeasurements(type))));
}

/** PreviewPrivacyImpact and maxCount: the aggregations of each type a whole budget allows. */
export function maxCounts(epsilon: number, usersNoisePerQuery: number): { type: AggregationType; maxCount: number }[] {
  return aggregationTypes.map((type) => ({ type, maxCount: countFitting(fraction(epsilon), usersNoisePerQuery, type) }));
}

/**
 * The user count a group needs, after noise, to appear: a group that exists only because of one
 * user (true count 1, in at most `contributionLimit` groups) appears with probability at most
 * SELECTION_DELTA. P[Z ≥ k] < exp(−k/b) for discrete Laplace noise of scale b = n·L.
 */
export function selectionThreshold(usersNoisePerQuery: number, contributionLimit: number): number {
  const scale = usersNoisePerQuery * contributionLimit;
  return 1 + Math.ceil(scale * Math.log(contributionLimit / SELECTION_DELTA));
}

/** E|Z| for discrete Laplace noise of scale b: 2p / (1 − p²) with p = exp(−1/b); about b for large b. */
export function meanAbsoluteNoise(scale: number): number {
  const p = Math.exp(-1 / scale);
  return (2 * p) / (1 - p * p);
}

/** The budget period a debit at `at` belongs to: its calendar month (UTC) when the budget refreshes monthly. */
export function budgetPeriod(autoRefresh: "CALENDAR_MONTH" | "NONE", at: Date): string {
  return autoRefresh === "CALENDAR_MONTH" ? at.toISOString().slice(0, 7) : "ALL";
}
