// npm run bench: measures side by side in one run and prints markdown tables, also written to
// docs/benchmarks.md. Numbers from one machine at one moment: compare ratios, not absolutes.
import { execSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { csvCacheBench, protectedQueryBench } from "./bench/protected-queries";
import { browserUpload } from "./bench/browser-upload";
import { s3Throughput } from "./bench/s3-throughput";
import { differentialPrivacyBench } from "./bench/differential-privacy";
import { workbenchBench } from "./bench/workbench";
import { ingestBenchInFreshProcess } from "./bench/ingest";
import { queryStagesBench } from "./bench/query-stages";
import { plannerBench } from "./bench/planner";
import { queryStages, stageNames } from "../server/engine/exec/stages";

const fmt = (n: number, digits = 0) => n.toFixed(digits);

// docs/benchmarks.md keeps what is written by hand above this line (what the profiles showed and
// what changed) and is regenerated below it.
const MARKER = "<!-- Everything below is written by npm run bench. -->";

function commitNamed(): string {
  try {
    const commit = execSync("git rev-parse --short HEAD", { encoding: "utf8" }).trim();
    const dirty = execSync("git status --porcelain --untracked-files=no", { encoding: "utf8" }).trim() ? " with uncommitted changes" : "";
    return `commit ${commit}${dirty}`;
  } catch {
    return "a tree outside git";
  }
}

async function main() {
  const lines: string[] = [
    MARKER,
    "",
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} at ${commitNamed()}: ${os.cpus().length} cores, ${fmt(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}.`,
    "Each figure is the median of at least five runs; the sides compared in a row are measured in the same run, alternately, with the same files equally warm.",
    "",
  ];
  const stages = await queryStagesBench();
  lines.push(
    "## Where a protected query's time goes",
    "",
    "The bench's join (below) through the SDK: the start request as the client timed it, then each stage as the local cloud reported it (milliseconds, medians), then what the client waited beyond them until a GetProtectedQuery answered SUCCESS (about zero, or a little below from the clocks' rounding, when a poll waits for the query to move; the rest of the client's sleep when the query ended before its first poll). Queue wait counts from the start request's end to the query's turn on the cores; lookups are the collaboration, catalog, rules and data files, read again when the query runs; validation is the re-check against the rules as they are then; sandbox set-up is a DuckDB of its own with the views, file allow-list and locked configuration; result writing is the CSV and its move into the receiver's bucket; status update is STARTED and SUCCESS in the store. Direct: the same SQL in a plain DuckDB on the same Parquet files, its instance already open.",
    "",
    `| query | start request | ${queryStages.map((s) => stageNames[s]).join(" | ")} | seen by the client after | end to end | direct DuckDB |`,
    `|---|---:|${queryStages.map(() => "---:").join("|")}|---:|---:|---:|`,
    ...stages.rows.map(
      (r) => `| ${r.label} | ${fmt(r.startRequest, 1)} | ${queryStages.map((s) => fmt(r.stages[s], 1)).join(" | ")} | ${fmt(r.seenAfter, 1)} | ${fmt(r.endToEnd, 1)} | ${fmt(r.direct, 1)} |`,
    ),
    "",
    `Around DuckDB's execution, on empty tables: ${stages.rows
      .filter((r) => r.label.startsWith("empty"))
      .map((r) => `${fmt(r.endToEnd - r.stages.execution, 1)} ms with ${r.label.includes("PostgreSQL") ? "PostgreSQL" : "PGlite"}`)
      .join(", ")} (end to end less execution).`,
    "",
    `### ${stages.load.queries} different queries at once`,
    "",
    `${stages.load.queries} clients each start one of ${stages.load.queries} different queries (groupings and filters over the same join) at the same moment and poll every 100 ms; beside them, plain DuckDB runs the same ${stages.load.queries} queries one after another. Wall: until the last client saw its query end.`,
    "",
    "| wall s | plain DuckDB one after another s | ratio | latency p50 s | latency p95 s | peak memory of the local cloud process |",
    "|---:|---:|---:|---:|---:|---:|",
    `| ${fmt(stages.load.wall, 2)} | ${fmt(stages.load.sequential, 2)} | ${fmt(stages.load.wall / stages.load.sequential, 2)} | ${fmt(stages.load.p50, 2)} | ${fmt(stages.load.p95, 2)} | ${fmt(stages.load.peakMemoryMb)} MB |`,
    "",
  );
  const s3 = await s3Throughput();
  lines.push(
    "## Local S3 throughput on loopback",
    "",
    "Baseline: a minimal Node HTTP server that only receives the body, hashes it with SHA-256 and writes it to disk (or streams the file back). Local cloud: the same bytes through `@aws-sdk/client-s3`, with SigV4 verification, MD5 ETag, CRC32 checksum, SHA-256 payload check and atomic rename.",
    "",
    "| operation | baseline MB/s | local cloud MB/s | ratio |",
    "|---|---:|---:|---:|",
    ...s3.rows.map((r) => `| ${r.operation} | ${fmt(r.baseline)} | ${fmt(r.cloud)} | ${fmt(r.cloud / r.baseline, 2)} |`),
    "",
    `A ${s3.uploadGb} GB multipart upload (\`@aws-sdk/lib-storage\`, 16 MB parts) raised the local cloud process's peak resident memory by ${fmt(s3.memoryGrowthMb)} MB.`,
    "",
  );
  const ingest = await ingestBenchInFreshProcess();
  lines.push(
    "## Ingest: a large CSV uploaded and crawled",
    "",
    `A ${fmt(ingest.megabytes)} MB CSV of customers sent with the SDK's multipart \`Upload\` (16 MB parts, its default four at a time, CRC32 checksums) from a Node process of its own into the local cloud, then a Glue crawler over it, started as soon as the upload ends. Beside it, in the same runs: the same file PUT to a minimal Node server that receives it, hashes it with SHA-256 and writes it to disk; and DuckDB reading the file into a table (\`CREATE TABLE AS SELECT * FROM read_csv(…)\`). Each side starts with the page cache's dirty pages written out.`,
    "",
    "| measure | value |",
    "|---|---:|",
    `| minimal server MB/s | ${fmt(ingest.baselineMbPerSecond)} |`,
    `| multipart upload MB/s | ${fmt(ingest.uploadMbPerSecond)} |`,
    `| upload / minimal server | ${fmt(ingest.uploadMbPerSecond / ingest.baselineMbPerSecond, 2)} |`,
    `| upload s + crawl s | ${fmt(ingest.upload, 2)} + ${fmt(ingest.crawl, 2)} |`,
    `| DuckDB's read s | ${fmt(ingest.duckdb, 2)} |`,
    `| (upload + crawl) / DuckDB's read | ${fmt((ingest.upload + ingest.crawl) / ingest.duckdb, 2)} |`,
    "",
  );
  const upload = await browserUpload({ sizeGb: 1 });
  lines.push(
    "## Uploading a dataset through the console",
    "",
    `A ${fmt(upload.sizeMb / 1024, 1)} GB CSV uploaded on the Datasets page in Chromium: the browser streams the file to the console, which checks it as it passes and streams it on to the local cloud as a multipart upload (8 MB parts, 2 in flight). Beside it, the same file sent straight to the console's local cloud with \`@aws-sdk/lib-storage\` (16 MB parts), in the same run. Memory: the peak growth of the resident memory of all the console's processes (console and local cloud share one) during the upload.`,
    "",
    "| path | MB/s | peak memory growth of the console |",
    "|---|---:|---:|",
    `| browser → console → local cloud | ${fmt(upload.browser.mbPerSecond)} | ${fmt(upload.browser.growthMb)} MB |`,
    `| SDK → local cloud | ${fmt(upload.sdk.mbPerSecond)} | ${fmt(upload.sdk.growthMb)} MB |`,
    `| ratio (browser / SDK) | ${fmt(upload.browser.mbPerSecond / upload.sdk.mbPerSecond, 2)} | |`,
    "",
  );
  const queries = await protectedQueryBench();
  lines.push(
    "## Protected queries",
    "",
    "Two organizations with N customers each (Parquet, registered through the local cloud's S3, Glue and Clean Rooms APIs; half of B's customers are A's). The query joins them on the customer and groups by age group and region, with COUNT DISTINCT, SUM and AVG and an output constraint of 100 customers per table. End to end: StartProtectedQuery until GetProtectedQuery says SUCCESS, through the SDK, including validation, the sandbox and writing the CSV result to S3. Direct: the same SQL run by DuckDB on the same files, with no controls. Each local cloud first runs twenty queries, as a server that has run for a while (its code compiled, the files in the page cache for both sides; each query's text is new, so nothing is reused).",
    "",
    "The rules add work of their own: the output constraints are counted per group (a second COUNT DISTINCT, of B's customers). So the end to end time is also shown beside plain DuckDB running the SQL the local cloud runs, constraints included.",
    "",
    "The client polls GetProtectedQuery every 20 ms; once it asks again, the local cloud answers when the query moves (docs/local-cloud.md), so the client sees the end at once and its polls take little CPU from the query's threads. The last columns show the same query seen by a client polling every 50 ms.",
    "",
    "| customers per organization | direct DuckDB s | end to end s | ratio | direct DuckDB, with the constraints s | ratio to it | end to end, polling every 50 ms s | ratio | peak memory of the local cloud process |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...queries.map(
      (r) =>
        `| ${r.customers.toLocaleString("en-US")} | ${fmt(r.direct, 2)} | ${fmt(r.endToEnd, 2)} | ${fmt(r.endToEnd / r.direct, 2)} | ${fmt(r.directChecked, 2)} | ${fmt(r.endToEnd / r.directChecked, 2)} | ${fmt(r.endToEndPoll50, 2)} | ${fmt(r.endToEndPoll50 / r.direct, 2)} | ${fmt(r.peakMemoryMb)} MB |`,
    ),
    "",
  );
  const csv = await csvCacheBench();
  lines.push(
    "### CSV uploads and the columnar cache",
    "",
    `The same query on ${csv.customers.toLocaleString("en-US")} customers per organization uploaded as CSV. The local cloud converts each CSV object to Parquet on first use and reads the copy afterwards.`,
    "",
    "Like with like: the first query, which converts the CSV, beside DuckDB reading the CSV files; the later ones, which read the copies, beside DuckDB reading the same rows as Parquet.",
    "",
    "| reading | direct DuckDB s | protected query s | ratio |",
    "|---|---:|---:|---:|",
    `| CSV (the first query builds the copies) | ${fmt(csv.directCsv, 2)} | ${fmt(csv.first, 2)} | ${fmt(csv.first / csv.directCsv, 2)} |`,
    `| Parquet (later queries read the copies) | ${fmt(csv.directParquet, 2)} | ${fmt(csv.cached, 2)} | ${fmt(csv.cached / csv.directParquet, 2)} |`,
    "",
  );
  const dp = await differentialPrivacyBench();
  lines.push(
    "## Differential privacy",
    "",
    `${dp.customers.toLocaleString("en-US")} customers of one organization, queried by the other: \`SELECT age_group, COUNT(*), SUM(purchase_amount), AVG(purchase_amount) … GROUP BY age_group\`, through a configured table protected by differential privacy and through a plain custom-rule table over the same file, alternately in one run, end to end through the SDK; medians. The private query reads the rows more than once (contribution limit, ranges, bounding, statistics) and draws its noise exactly.`,
    "",
    "| query | seconds | ratio |",
    "|---|---:|---:|",
    `| plain custom rule | ${fmt(dp.plain, 2)} | 1.00 |`,
    `| differential privacy | ${fmt(dp.private, 2)} | ${fmt(dp.private / dp.plain, 2)} |`,
    "",
    `Accuracy at usersNoisePerQuery ${dp.usersNoisePerQuery}: the mean absolute error of each noisy value against the exact one, over every group of many runs, beside what docs/privacy.md predicts from the query's sensitivity parameters (COUNT: n·L; SUM: n·L·M; AVG, to first order: n·L·(M + |avg|) / count).`,
    "",
    "| aggregate | measured mean absolute error | predicted | measured / predicted | samples |",
    "|---|---:|---:|---:|---:|",
    ...dp.accuracy.map((a) => `| ${a.type} | ${fmt(a.measured, 2)} | ${fmt(a.predicted, 2)} | ${fmt(a.measured / a.predicted, 2)} | ${a.samples} |`),
    "",
  );
  const planner = await plannerBench();
  lines.push(
    "### Planning large queries",
    "",
    "The engine's check of one SELECT with N aggregations, in process (scripts/bench/planner.ts): on a table protected by differential privacy (`SUM(visits + i)`, each planned and priced) and on tables with aggregation rules (a join, `SUM(b.engagement_score)` N times); medians of five runs, each text new. The check is near-linear in N; differentially private queries may have at most 1,000 aggregations, and every check stops at its time limit (docs/threat-model.md).",
    "",
    "| rule | aggregations | check ms | ms per aggregation |",
    "|---|---:|---:|---:|",
    ...planner.map((r) => `| ${r.kind === "privacy" ? "differential privacy" : "aggregation"} | ${r.aggregates.toLocaleString("en-US")} | ${fmt(r.ms, 1)} | ${fmt(r.ms / r.aggregates, 2)} |`),
    "",
  );
  const workbench = await workbenchBench({ customers: 1_000_000 });
  const page = (route: string) => route.replace(/[\da-f]{8}-[\da-f-]{27}/, "[id]");
  lines.push(
    "## The workbench",
    "",
    `A console started with the demo at ${workbench.customers.toLocaleString("en-US")} customers per organization. Each page's JavaScript in Chromium, gzipped: what its HTML loads (first load) and what it fetches right after without being asked (the SQL editor and the chart code on the workbench, loaded lazily).`,
    "",
    "| page | first load KB (gzip) | loaded lazily KB (gzip) |",
    "|---|---:|---:|",
    ...workbench.weights.map((w) => `| \`${page(w.route)}\` | ${fmt(w.firstLoadKb)} | ${fmt(w.lazyKb)} |`),
    "",
    "Pressing Run on the demo's suggested query (a join of both organizations' customers, grouped by age group) until the chart is drawn, beside the same query through the SDK alone (StartProtectedQuery, GetProtectedQuery every 25 ms, GetObject of the result), alternately in the same run; medians.",
    "",
    "| path | seconds | ratio |",
    "|---|---:|---:|",
    `| Chromium: Run → chart | ${fmt(workbench.runToChart.browser, 2)} | ${fmt(workbench.runToChart.browser / workbench.runToChart.sdk, 2)} |`,
    `| SDK alone: start → result read | ${fmt(workbench.runToChart.sdk, 2)} | 1.00 |`,
    "",
    `The check as you type: the server action's round trip for one edit (it reads the collaboration's schemas and rules through the Clean Rooms API, then runs the engine's validator), median ${fmt(workbench.check.median)} ms, p95 ${fmt(workbench.check.p95)} ms over ${workbench.check.samples} edits; the check starts after a 400 ms pause in typing. The validator alone, in process, on a join of the same shape: ${fmt(workbench.validatorMs, 1)} ms.`,
    "",
  );
  const report = lines.join("\n");
  console.log(report);
  fs.mkdirSync("docs", { recursive: true });
  const existing = fs.existsSync("docs/benchmarks.md") ? fs.readFileSync("docs/benchmarks.md", "utf8") : "";
  const handWritten = existing.includes(MARKER) ? existing.slice(0, existing.indexOf(MARKER)) : "# Benchmarks\n\n";
  // Written as the project's formatter writes it, so that `npm run lint` accepts it as it is.
  const { format, resolveConfig } = await import("prettier");
  const options = (await resolveConfig("docs/benchmarks.md")) ?? {};
  fs.writeFileSync("docs/benchmarks.md", await format(handWritten + report, { ...options, filepath: "docs/benchmarks.md" }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
