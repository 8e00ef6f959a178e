import type { DuckDBConnection } from "@duckdb/node-api";
import { writeResult, type SandboxResult, type SandboxRun, type SandboxSession } from "@/server/engine/exec/sandbox";
import type { SensitivityParameter } from "@/lib/privacy";
import type { PrivacyPlan } from "@/server/engine/sql/differential-privacy";
import { quoteIdent } from "@/server/engine/sql/tree";
import { needsRange, selectionThreshold, type AggregationType } from "./accounting";
import { discreteLaplace, RandomSource } from "./noise";

// Runs a differentially private query in its sandbox, as docs/privacy.md describes:
//   1. the member's rows (user identifier, group keys, aggregated values), without rows whose
//      user identifier is NULL;
//   2. the user contribution limit L, from a noisy histogram of rows per user;
//   3. each user's rows cut to L (chosen by a hash of the row: a rule of the user's own rows);
//   4. each aggregated value's range, from a noisy histogram of magnitudes (powers of two);
//   5. exact per-group statistics of the bounded, clamped rows, as integers;
//   6. noise from the exact discrete Laplace sampler, groups kept only if their noisy user count
//      passes the selection threshold; ORDER BY and LIMIT on the noisy rows.
// Only noisy numbers and the keys of selected groups leave; every step that reads rows is one of
// the plan's measurements, each of cost 1/usersNoisePerQuery.

export interface SensitivityParameters extends SensitivityParameter {
  aggregationType: AggregationType;
}

export interface PrivateRun {
  plan: PrivacyPlan;
  values?: SandboxRun["values"];
  usersNoisePerQuery: number;
  resultFormat: "CSV" | "PARQUET";
  random?: RandomSource;
}

/** The largest contribution limit the engine considers: 2^10 rows per user. */
const MAX_CONTRIBUTION_EXPONENT = 10;
/** Ranges are powers of two from 2^-20 (2^0 for integers) to 2^40; larger values are clamped. */
const MIN_RANGE_EXPONENT = -20;
const MAX_RANGE_EXPONENT = 40;
/** Real values are summed as integer multiples of M·2^-20 (M the range's bound). */
const REAL_PRECISION_BITS = 20;
/**
 * The chance that some empty bucket of a private histogram passes its threshold (and so widens a
 * limit or range for nothing, multiplying the noise): one in a million queries.
 */
const HISTOGRAM_MISS = 1e-6;

interface ArgumentRange {
  lo: number;
  hi: number;
  /** The bound's exponent: M = max(|lo|, hi) = 2^e. */
  e: number;
  /** The unit's exponent: values are summed as integer multiples of 2^u. */
  u: number;
}

/** An exact decimal literal of 2^k (doubles print exactly for negative k; BigInt for the rest). */
const powerOfTwo = (k: number) => (k >= 0 ? (1n << BigInt(k)).toString() : String(2 ** k));

const rows = async (connection: DuckDBConnection, sql: string) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];

export async function runPrivately(session: SandboxSession, run: PrivateRun): Promise<SandboxResult & { sensitivityParameters: SensitivityParameters[] }> {
  const { plan, usersNoisePerQuery: n } = run;
  const random = run.random ?? new RandomSource();
  const laplace = (scale: bigint) => discreteLaplace({ num: scale, den: 1n }, random);
  const { connection } = session;
  const groups = Array.from({ length: plan.groupCount }, (_, i) => `__g${i}`);
  const args = plan.argumentKinds.map((_, i) => `__a${i}`);

  await connection.run(`CREATE TEMP TABLE __dp_rows AS SELECT * FROM (${plan.rowsSql}) WHERE __uid IS NOT NULL`, run.values && Object.keys(run.values).length ? run.values : undefined);

  // 2. L = 2^k for the largest k whose noisy count of users (with 2^(k-1) < rows ≤ 2^k) passes τ.
  const perUser = new Map<number, bigint>();
  let most = 0;
  const histogram = `SELECT CAST(least(${MAX_CONTRIBUTION_EXPONENT}, ceil(log2(n))) AS INTEGER) AS k, count(*) AS users, max(n) AS most FROM (SELECT count(*) AS n FROM __dp_rows GROUP BY __uid) GROUP BY k`;
  for (const row of await rows(connection, histogram)) {
    perUser.set(Number(row.k), BigInt(Number(row.users)));
    most = Math.max(most, Number(row.most));
  }
  const contributionThreshold = BigInt(Math.ceil(n * Math.log((MAX_CONTRIBUTION_EXPONENT + 1) / HISTOGRAM_MISS)));
  let exponent = 0;
  for (let k = 0; k <= MAX_CONTRIBUTION_EXPONENT; k++) if ((perUser.get(k) ?? 0n) + laplace(BigInt(n)) >= contributionThreshold) exponent = k;
  const L = 2 ** exponent;

  // 3. Each user's rows beyond L are dropped: which ones depends only on that user's own rows.
  // When no user has more than L rows there is nothing to drop, and the rows are used as they are
  // (the same output, without sorting every user's rows).
  const columns = ["__uid", ...groups, ...args];
  if (most <= L) {
    await connection.run("ALTER TABLE __dp_rows RENAME TO __dp_bounded");
  } else {
    await connection.run(
      `CREATE TEMP TABLE __dp_bounded AS SELECT ${columns.join(", ")} FROM (SELECT *, row_number() OVER (PARTITION BY __uid ORDER BY hash(${columns.join(", ")})) AS __dp_n FROM __dp_rows) WHERE __dp_n <= ${L}`,
    );
    await connection.run("DROP TABLE __dp_rows");
  }

  // 4. Ranges of the values SUM, AVG and STDDEV aggregate.
  const ranges = new Map<number, ArgumentRange>();
  for (const aggregation of plan.aggregations) {
    if (!needsRange(aggregation.type) || ranges.has(aggregation.argument!)) continue;
    ranges.set(aggregation.argument!, await estimateRange(connection, aggregation.argument!, plan.argumentKinds[aggregation.argument!] === "integer", BigInt(n * L), laplace));
  }
  const value = (argument: number) => {
    const range = ranges.get(argument)!;
    const column = `__a${argument}`;
    if (range.u === 0) return `least(greatest(CAST(${column} AS HUGEINT), ${powerOfTwoSigned(range.lo)}), ${powerOfTwoSigned(range.hi)})`;
    const real = `CASE WHEN isnan(CAST(${column} AS DOUBLE)) THEN NULL ELSE CAST(${column} AS DOUBLE) END`;
    return `CAST(round(least(greatest(${real}, ${powerOfTwoSigned(range.lo)}), ${powerOfTwoSigned(range.hi)}) * ${powerOfTwo(-range.u)}) AS HUGEINT)`;
  };

  // 5. Exact statistics per group, as integers (text, read without rounding).
  const statistics: string[] = [];
  for (const aggregation of plan.aggregations) {
    const column = aggregation.argument === null ? null : `__a${aggregation.argument}`;
    if (aggregation.type === "COUNT") statistics.push(column ? `count(${column})` : "count(*)");
    else if (aggregation.type === "COUNT_DISTINCT") statistics.push(`count(DISTINCT ${column})`);
    else {
      const v = value(aggregation.argument!);
      statistics.push(`sum(${v})`);
      if (aggregation.type === "STDDEV") statistics.push(`sum(${v} * ${v})`);
      statistics.push(`count(${v})`);
    }
  }
  const statisticList = statistics.map((s, i) => `CAST(${s} AS VARCHAR) AS __s${i}`).join(", ");
  const keyList = groups.join(", ");
  // With at most one row per user, a group's users are its rows: no need to make them distinct.
  const users = L === 1 ? "count(*)" : "count(DISTINCT __uid)";
  await connection.run(
    groups.length
      ? `CREATE TEMP TABLE __dp_stats AS SELECT row_number() OVER (ORDER BY ${keyList}) AS __dp_row, ${keyList}, ${users} AS __users, ${statisticList} FROM __dp_bounded GROUP BY ${keyList}`
      : `CREATE TEMP TABLE __dp_stats AS SELECT 1 AS __dp_row, ${users} AS __users, ${statisticList} FROM __dp_bounded`,
  );

  // 6. Noise, selection, and the noisy rows.
  const threshold = BigInt(selectionThreshold(n, L));
  const outputTypes = plan.aggregations.map((a) => (a.type === "COUNT" || a.type === "COUNT_DISTINCT" ? "BIGINT" : a.type === "SUM" && ranges.get(a.argument!)!.u === 0 ? "HUGEINT" : "DOUBLE"));
  await connection.run(`CREATE TEMP TABLE __dp_noise (__dp_row BIGINT, ${outputTypes.map((t, i) => `__o${i} ${t}`).join(", ")})`);
  const appender = await connection.createAppender("__dp_noise", "main", "temp");
  const stats = await rows(connection, `SELECT __dp_row, CAST(__users AS VARCHAR) AS __users, ${statistics.map((_, i) => `__s${i}`).join(", ")} FROM __dp_stats`);
  const countScale = BigInt(n * L);
  for (const row of stats) {
    if (groups.length && BigInt(String(row.__users)) + laplace(countScale) < threshold) continue;
    appender.appendBigInt(BigInt(Number(row.__dp_row)));
    let s = 0;
    const next = () => BigInt(String(row[`__s${s++}`] ?? "0"));
    plan.aggregations.forEach((aggregation, i) => {
      if (aggregation.type === "COUNT" || aggregation.type === "COUNT_DISTINCT") {
        const noisy = next() + laplace(countScale);
        return appender.appendBigInt(noisy < 0n ? 0n : noisy);
      }
      const range = ranges.get(aggregation.argument!)!;
      const unitScale = countScale << BigInt(range.e - range.u);
      const sum = next() + laplace(unitScale);
      const squares = aggregation.type === "STDDEV" ? next() + laplace(countScale << BigInt(2 * (range.e - range.u))) : 0n;
      const count = next() + laplace(countScale);
      const unit = 2 ** range.u;
      if (aggregation.type === "SUM") return outputTypes[i] === "HUGEINT" ? appender.appendHugeInt(sum) : appender.appendDouble(Number(sum) * unit);
      const users = Number(count < 1n ? 1n : count);
      const mean = Math.min(range.hi, Math.max(range.lo, (Number(sum) * unit) / users));
      if (aggregation.type === "AVG") return appender.appendDouble(mean);
      const size = Math.max(2, users);
      const variance = (Number(squares) * unit * unit - size * mean * mean) / (size - 1);
      appender.appendDouble(Math.min(range.hi - range.lo, Math.sqrt(Math.max(0, variance))));
    });
    appender.endRow();
  }
  appender.closeSync();

  const select = plan.outputs.map((o) => ("group" in o ? `s.__g${o.group}` : `d.__o${o.aggregation}`) + ` AS ${quoteIdent(o.name)}`).join(", ");
  const order = [...plan.order.map((o) => `${o.output + 1}${o.descending ? " DESC" : ""}${o.nulls ? ` NULLS ${o.nulls}` : ""}`), "s.__dp_row"].join(", ");
  const result = await writeResult(
    session,
    `SELECT ${select} FROM __dp_stats s JOIN __dp_noise d USING (__dp_row) ORDER BY ${order}${plan.limit !== null ? ` LIMIT ${plan.limit}` : ""}`,
    run.resultFormat,
  );
  return {
    ...result,
    sensitivityParameters: plan.aggregations.map((a) => {
      const range = a.argument === null ? undefined : ranges.get(a.argument);
      return { aggregationType: a.type, aggregationExpression: a.expression, userContributionLimit: L, ...(range ? { minColumnValue: range.lo, maxColumnValue: range.hi } : {}) };
    }),
  };
}

const powerOfTwoSigned = (value: number) => (value < 0 ? `-${powerOfTwo(Math.log2(-value))}` : value === 0 ? "0" : powerOfTwo(Math.log2(value)));

/**
 * The range [lo, hi] of an aggregated value: the largest power of two whose noisy count of
 * values (with magnitude in (2^(k-1), 2^k]) passes a threshold, on each side of zero. One user's
 * L rows move the histogram by at most L, so the noise has scale n·L.
 */
async function estimateRange(connection: DuckDBConnection, argument: number, integer: boolean, scale: bigint, laplace: (scale: bigint) => bigint): Promise<ArgumentRange> {
  const column = `__a${argument}`;
  const lowest = integer ? 0 : MIN_RANGE_EXPONENT;
  const magnitude = `CAST(${column} AS DOUBLE)`;
  const counts = new Map<string, bigint>();
  const found = await rows(
    connection,
    `SELECT CAST(sign(${magnitude}) AS INTEGER) AS s, CAST(greatest(${lowest}, least(${MAX_RANGE_EXPONENT}, ceil(log2(abs(${magnitude}))))) AS INTEGER) AS k, count(*) AS c
     FROM __dp_bounded WHERE ${column} IS NOT NULL AND ${column} <> 0 AND NOT isnan(${magnitude}) GROUP BY ALL`,
  );
  for (const row of found) counts.set(`${row.s}:${row.k}`, BigInt(Number(row.c)));
  const buckets = 2 * (MAX_RANGE_EXPONENT - lowest + 1);
  const threshold = BigInt(Math.ceil(Number(scale) * Math.log(buckets / HISTOGRAM_MISS)));
  let positive: number | null = null;
  let negative: number | null = null;
  for (let k = lowest; k <= MAX_RANGE_EXPONENT; k++) {
    if ((counts.get(`1:${k}`) ?? 0n) + laplace(scale) >= threshold) positive = k;
    if ((counts.get(`-1:${k}`) ?? 0n) + laplace(scale) >= threshold) negative = k;
  }
  // Too few values to measure: the range [0, 1], so that what little there is still counts.
  if (positive === null && negative === null) positive = 0;
  const e = Math.max(positive ?? lowest, negative ?? lowest);
  return { lo: negative === null ? 0 : -(2 ** negative), hi: positive === null ? 0 : 2 ** positive, e, u: integer ? 0 : e - REAL_PRECISION_BITS };
}
