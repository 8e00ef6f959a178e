import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { queryStages, type QueryStage, type StageReport } from "../../server/engine/exec/stages";
import { startChild, type Child } from "./child";
import { direct, fresh, generate, median, query, register, run, warmUp, type Credentials } from "./protected-queries";

// Where a protected query's time goes, stage by stage (the local cloud reports each query's
// stages; the client measures its start request and the end it sees), for an empty table, for
// 1M customers, and for 20 distinct queries submitted at once; beside plain DuckDB.

export interface StageRow {
  label: string;
  /** Milliseconds, medians over the runs: the start request, each stage, then what the client waited beyond them. */
  startRequest: number;
  stages: Record<QueryStage, number>;
  seenAfter: number;
  endToEnd: number;
  direct: number;
}

type Cloud = Child<{ port: number; credentials: { a: Credentials; b: Credentials } }>;

async function world(customers: number, tag: string, env: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-stages-"));
  const cloud: Cloud = await startChild("scripts/bench/cloud-server.ts", env);
  const files = await generate(dir, customers);
  const { cleanA, membershipA } = await register(`http://127.0.0.1:${cloud.info.port}`, cloud.info.credentials, files, tag);
  return {
    cloud,
    files,
    cleanA,
    membershipA,
    stop() {
      cloud.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function stagesOf(cloud: Cloud, id: string): Record<QueryStage, number> {
  const found = cloud.messages.map((m) => (m as { stages?: StageReport }).stages).find((s) => s?.id === id);
  if (!found) throw new Error(`no stage report for ${id}`);
  return found.ms;
}

function medianRow(label: string, samples: { startRequest: number; stages: Record<QueryStage, number>; endToEnd: number }[], directMs: number[]): StageRow {
  const stages = Object.fromEntries(queryStages.map((s) => [s, median(samples.map((x) => x.stages[s]))])) as Record<QueryStage, number>;
  const seen = samples.map((x) => x.endToEnd - x.startRequest - queryStages.reduce((sum, s) => sum + x.stages[s], 0));
  return {
    label,
    startRequest: median(samples.map((x) => x.startRequest)),
    stages,
    seenAfter: median(seen),
    endToEnd: median(samples.map((x) => x.endToEnd)),
    direct: median(directMs),
  };
}

// Every run's text differs (fresh), so that no run finds its validation already done: each query
// is checked when it is started as a new query would be (the runner's re-check then finds the
// start's, as it does for every query).

/** One query at a time, alternating with plain DuckDB, `repeat` times after a warm-up. */
export async function alone(label: string, customers: number, repeat: number, pollMs: number, env: Record<string, string> = {}): Promise<StageRow> {
  const w = await world(customers, `stages${customers}`, env);
  try {
    await warmUp(w.cleanA, w.membershipA, pollMs);
    await direct(w.files);
    const samples = [];
    const directMs = [];
    for (let i = 0; i < repeat; i++) {
      directMs.push((await direct(w.files)) * 1000);
      const r = await run(w.cleanA, w.membershipA, fresh(query), pollMs);
      samples.push({ startRequest: r.startRequest * 1000, stages: stagesOf(w.cloud, r.id), endToEnd: r.seconds * 1000 });
    }
    return medianRow(label, samples, directMs);
  } finally {
    w.stop();
  }
}

/** Twenty different queries of the shape analysts write: groupings and filters over the two tables. */
export function distinctQueries(): string[] {
  const groupings = [["a.age_group"], ["a.region"], ["a.age_group", "a.region"], ["b.channel"], ["a.age_group", "b.channel"]];
  const filters = ["", "WHERE a.region <> 'east'", "WHERE b.channel IN ('email', 'social')", "WHERE a.age_group <> '18-24'"];
  const out: string[] = [];
  for (const group of groupings)
    for (const filter of filters)
      out.push(
        `SELECT ${group.join(", ")}, COUNT(DISTINCT a.customer_id) AS customers, SUM(a.purchase_amount) AS revenue, AVG(b.engagement_score) AS engagement
FROM org_a_customers a INNER JOIN org_b_engagement b ON a.customer_id = b.customer_id ${filter} GROUP BY ${group.join(", ")}`,
      );
  return out;
}

export interface ConcurrentResult {
  row: StageRow;
  queries: number;
  /** Seconds: the last query's end, all submitted at once; plain DuckDB one after another. */
  wall: number;
  sequential: number;
  p50: number;
  p95: number;
  peakMemoryMb: number;
}

/** All queries submitted at once by as many clients; against plain DuckDB running them in turn. */
export async function concurrent(customers: number, repeat: number, pollMs: number): Promise<ConcurrentResult> {
  const w = await world(customers, `concurrent${customers}`);
  const sqls = distinctQueries();
  try {
    for (const sql of sqls.slice(0, 2)) await run(w.cleanA, w.membershipA, sql, pollMs);
    const walls: number[] = [];
    const sequentials: number[] = [];
    const samples: { startRequest: number; stages: Record<QueryStage, number>; endToEnd: number }[] = [];
    const latencies: number[] = [];
    let peak = 0;
    for (let i = 0; i < repeat; i++) {
      let sequential = 0;
      for (const sql of sqls) sequential += await direct(w.files, sql);
      sequentials.push(sequential);
      w.cloud.resetPeak();
      const start = process.hrtime.bigint();
      const runs = await Promise.all(sqls.map((sql) => run(w.cleanA, w.membershipA, fresh(sql), pollMs)));
      walls.push(Number(process.hrtime.bigint() - start) / 1e9);
      peak = Math.max(peak, w.cloud.memory().peak);
      for (const r of runs) {
        latencies.push(r.seconds);
        samples.push({ startRequest: r.startRequest * 1000, stages: stagesOf(w.cloud, r.id), endToEnd: r.seconds * 1000 });
      }
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      row: medianRow(
        `${sqls.length} at once, ${customers.toLocaleString("en-US")} customers (per query)`,
        samples,
        sequentials.map((s) => (s * 1000) / sqls.length),
      ),
      queries: sqls.length,
      wall: median(walls),
      sequential: median(sequentials),
      p50: sorted[Math.floor(sorted.length * 0.5)]!,
      p95: sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]!,
      peakMemoryMb: peak / 1024 / 1024,
    };
  } finally {
    w.stop();
  }
}

/** A fresh database on the machine's PostgreSQL for one run, dropped after; null when there is none. */
async function scratchPostgres(): Promise<{ url: string; drop(): Promise<void> } | null> {
  const base = process.env.BENCH_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const { Client } = await import("pg");
  const admin = new Client({ connectionString: base });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  const name = `bench_${Date.now()}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = new Client({ connectionString: base });
      await again.connect();
      await again.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await again.end();
    },
  };
}

export async function queryStagesBench({ repeat = 5, customers = Number(process.env.BENCH_STAGE_CUSTOMERS ?? 1_000_000) } = {}) {
  // The client polls every 10 ms alone, every 20 ms at 1M rows; twenty clients at once poll every
  // 100 ms, as the console's workbench does at first (lib/polling.ts).
  const rows = [await alone("empty tables (PGlite, the default store)", 0, repeat * 2, 10)];
  const postgres = await scratchPostgres();
  if (postgres) {
    try {
      rows.push(await alone("empty tables (PostgreSQL)", 0, repeat * 2, 10, { BENCH_DATABASE_URL: postgres.url }));
    } finally {
      await postgres.drop();
    }
  }
  rows.push(await alone(`${customers.toLocaleString("en-US")} customers`, customers, repeat, 20));
  const load = await concurrent(customers, repeat, 100);
  rows.push(load.row);
  return { rows, load };
}
