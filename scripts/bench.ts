// npm run bench: measures side by side in one run and prints markdown tables, also written to
// docs/benchmarks.md. Numbers from one machine at one moment: compare ratios, not absolutes.
import fs from "node:fs";
import os from "node:os";
import { csvCacheBench, protectedQueryBench } from "./bench/protected-queries";
import { browserUpload } from "./bench/browser-upload";
import { s3Throughput } from "./bench/s3-throughput";
import { differentialPrivacyBench } from "./bench/differential-privacy";
import { workbenchBench } from "./bench/workbench";

const fmt = (n: number, digits = 0) => n.toFixed(digits);

async function main() {
  const lines: string[] = [
    "# Benchmarks",
    "",
    `Measured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus().length} cores, ${fmt(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}.`,
    "Each figure is the median of several runs; the two columns of a row are measured in the same run, one after the other.",
    "",
  ];
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
    "Two organizations with N customers each (Parquet, registered through the local cloud's S3, Glue and Clean Rooms APIs; half of B's customers are A's). The query joins them on the customer and groups by age group and region, with COUNT DISTINCT, SUM and AVG and an output constraint of 100 customers per table. End to end: StartProtectedQuery until GetProtectedQuery says SUCCESS, through the SDK, including validation, the sandbox and writing the CSV result to S3. Direct: the same SQL run by DuckDB on the same files, with no controls.",
    "",
    "| customers per organization | direct DuckDB s | end to end s | ratio | peak memory of the local cloud process |",
    "|---:|---:|---:|---:|---:|",
    ...queries.map((r) => `| ${r.customers.toLocaleString("en-US")} | ${fmt(r.direct, 2)} | ${fmt(r.endToEnd, 2)} | ${fmt(r.endToEnd / r.direct, 2)} | ${fmt(r.peakMemoryMb)} MB |`),
    "",
  );
  const csv = await csvCacheBench();
  lines.push(
    "### CSV uploads and the columnar cache",
    "",
    `The same query on ${csv.customers.toLocaleString("en-US")} customers per organization uploaded as CSV. The local cloud converts each CSV object to Parquet on first use and reads the copy afterwards.`,
    "",
    "| direct DuckDB on the CSV files s | first protected query (builds the copies) s | later protected queries s | later / direct |",
    "|---:|---:|---:|---:|",
    `| ${fmt(csv.direct, 2)} | ${fmt(csv.first, 2)} | ${fmt(csv.cached, 2)} | ${fmt(csv.cached / csv.direct, 2)} |`,
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
  fs.writeFileSync("docs/benchmarks.md", report);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
