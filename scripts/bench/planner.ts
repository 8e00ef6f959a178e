import { catalog } from "../../server/engine/sql/corpus";
import { checkAgainstRules } from "../../server/engine/sql/validate";

// The validator's and the differential-privacy planner's time as a query grows: N aggregates in
// one SELECT, on a table protected by differential privacy and on a table with an aggregation
// rule (the engine's corpus catalog), in this process; medians of five runs, each text new so
// that nothing is remembered. Planning should grow about linearly with N.

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

function queryOf(kind: "privacy" | "aggregation", n: number, run: number): string {
  const items = Array.from({ length: n }, (_, i) => (kind === "privacy" ? `SUM(visits + ${i}) AS s${i}` : `SUM(b.engagement_score) AS s${i}`));
  const from = kind === "privacy" ? "org_b_private" : "org_a_customers a INNER JOIN org_b_engagement b ON a.customer_id = b.customer_id";
  return `SELECT ${items.join(", ")} FROM ${from}${kind === "aggregation" ? " GROUP BY b.channel" : ""} -- run ${run}`;
}

async function timed(sql: string): Promise<{ ms: number; outcome: string }> {
  const started = process.hrtime.bigint();
  const outcome = await checkAgainstRules(sql, catalog).then(
    () => "allowed",
    (error: Error) => `refused: ${error.message.slice(0, 80)}`,
  );
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, outcome };
}

export async function plannerBench(sizes = [10, 100, 1000]) {
  await timed(queryOf("privacy", 1, -1));
  const rows: { kind: "privacy" | "aggregation"; aggregates: number; ms: number; outcome: string }[] = [];
  for (const kind of ["privacy", "aggregation"] as const) {
    for (const n of sizes) {
      const runs = [];
      for (let run = 0; run < 5; run++) runs.push(await timed(queryOf(kind, n, run)));
      rows.push({ kind, aggregates: n, ms: median(runs.map((r) => r.ms)), outcome: runs[0]!.outcome });
    }
  }
  return rows;
}

if (process.argv[1]?.endsWith("planner.ts")) {
  const sizes = process.argv.slice(2).map(Number).filter(Boolean);
  for (const row of await plannerBench(sizes.length ? sizes : undefined)) console.log(row);
}
