import { execFile, spawnSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { DuckDBInstance } from "@duckdb/node-api";
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { CreateCrawlerCommand, CreateDatabaseCommand, GetCrawlerCommand, GlueClient, StartCrawlerCommand } from "@aws-sdk/client-glue";
import { startChild } from "./child";
import { median, type Credentials } from "./protected-queries";

// A data owner's upload of a large CSV: the SDK's multipart Upload (16 MB parts) into the local
// cloud, then a Glue crawler over it; beside the same file PUT to a minimal Node server (the
// machine's rate for receiving, hashing and writing bytes over HTTP), and beside DuckDB reading
// the file into a table. Runs alternate; medians.

const MB = 1024 * 1024;

/** A CSV of customers of about `sizeMb` megabytes. */
async function csvOf(file: string, sizeMb: number): Promise<void> {
  const rows = Math.round((sizeMb * MB) / 27.3);
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const db = await instance.connect();
  await db.run(`COPY (SELECT range AS customer_id, ['18-24','25-34','35-44','45-54','55-64'][1 + (hash(range) % 5)::INT] AS age_group,
    ['east','west','central','north','south'][1 + (hash(range * 7) % 5)::INT] AS region, round((hash(range * 13) % 50000) / 100.0, 2) AS purchase_amount
    FROM range(${rows})) TO '${file}' (HEADER)`);
  db.closeSync();
  instance.closeSync();
}

function putToBaseline(port: number, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "PUT", path: "/object", headers: { "content-length": fs.statSync(file).size } }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    fs.createReadStream(file, { highWaterMark: MB }).pipe(req);
  });
}

async function duckdbRead(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(":memory:", { threads: String(os.availableParallelism()) });
  const db = await instance.connect();
  const start = process.hrtime.bigint();
  await db.run(`CREATE TABLE t AS SELECT * FROM read_csv('${file}', header = true)`);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.closeSync();
  instance.closeSync();
  return seconds;
}

// Each side starts with the page cache's dirty pages written out, so that neither pays for the
// other's writes (the kernel throttles writers once a few gigabytes are waiting for the disk).
const timed = async (work: () => Promise<unknown>) => {
  spawnSync("sync");
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e9;
};

export async function ingestBench({ sizeMb = Number(process.env.BENCH_INGEST_MB ?? 946), repeat = 5 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ingest-"));
  const file = path.join(dir, "customers.csv");
  const baseline = await startChild<{ port: number }>("scripts/bench/baseline-server.ts");
  const cloud = await startChild<{ port: number; credentials: { a: Credentials } }>("scripts/bench/cloud-server.ts");
  try {
    await csvOf(file, sizeMb);
    const megabytes = fs.statSync(file).size / MB;
    const endpoint = `http://127.0.0.1:${cloud.info.port}`;
    const s3 = new S3Client({ endpoint, region: "us-east-1", forcePathStyle: true, credentials: cloud.info.credentials.a });
    const glue = new GlueClient({ endpoint, region: "us-east-1", credentials: cloud.info.credentials.a });
    await s3.send(new CreateBucketCommand({ Bucket: "ingest" }));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "ingest" } }));
    const samples = { baseline: [] as number[], upload: [] as number[], crawl: [] as number[], duckdb: [] as number[] };
    await duckdbRead(file); // the file in the page cache for every side
    // A server that has run for a while: one upload first, not counted.
    await new Upload({ client: s3, params: { Bucket: "ingest", Key: "warm-up", Body: fs.createReadStream(file, { highWaterMark: MB }) }, partSize: 16 * MB }).done();
    await s3.send(new DeleteObjectCommand({ Bucket: "ingest", Key: "warm-up" }));
    spawnSync("sync");
    for (let i = 0; i < repeat; i++) {
      samples.baseline.push(await timed(() => putToBaseline(baseline.info.port, file)));
      const key = `run-${i}/customers.csv`;
      const crawler = `ingest-${i}`;
      await glue.send(new CreateCrawlerCommand({ Name: crawler, Role: "arn:aws:iam::111111111111:role/Glue", DatabaseName: "ingest", Targets: { S3Targets: [{ Path: `s3://ingest/run-${i}/` }] } }));
      // The crawl starts as soon as the upload ends, as the console does.
      let uploaded = 0;
      const total = await timed(async () => {
        const start = process.hrtime.bigint();
        await new Upload({ client: s3, params: { Bucket: "ingest", Key: key, Body: fs.createReadStream(file, { highWaterMark: MB }) }, partSize: 16 * MB }).done();
        uploaded = Number(process.hrtime.bigint() - start) / 1e9;
        await glue.send(new StartCrawlerCommand({ Name: crawler }));
        while ((await glue.send(new GetCrawlerCommand({ Name: crawler }))).Crawler?.State !== "READY") await new Promise((r) => setTimeout(r, 20));
      });
      samples.upload.push(uploaded);
      samples.crawl.push(total - uploaded);
      spawnSync("sync");
      samples.duckdb.push(await duckdbRead(file));
      await s3.send(new DeleteObjectCommand({ Bucket: "ingest", Key: key }));
    }
    if (process.env.BENCH_VERBOSE) console.error(JSON.stringify(samples));
    return {
      megabytes,
      baselineMbPerSecond: megabytes / median(samples.baseline),
      uploadMbPerSecond: megabytes / median(samples.upload),
      upload: median(samples.upload),
      crawl: median(samples.crawl),
      duckdb: median(samples.duckdb),
    };
  } finally {
    baseline.stop();
    cloud.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export type IngestResult = Awaited<ReturnType<typeof ingestBench>>;

/**
 * The ingest bench with its clients in a new Node process, as a data owner's upload script would
 * be, not in the process of the whole bench. That one has loaded every section's modules
 * (Playwright, the engine, the store: 58 MB of live heap against 20 for the ingest's own), and the
 * SDK's client makes V8 mark its whole heap about 40 times per gigabyte (each 16 MB part it
 * assembles is external memory, counted against the heap's limit until collected), so there the
 * SDK's upload took 7.2 s per gigabyte against 5.0-5.5 in a process of its own; the plain PUT,
 * which assembles nothing, was not slowed. The new process runs with Node's defaults, as a
 * client's would, not with the servers' flags.
 */
export async function ingestBenchInFreshProcess(): Promise<IngestResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/bench/ingest-client.ts"], { maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as IngestResult;
}
