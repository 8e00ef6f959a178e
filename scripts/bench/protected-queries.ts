import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from "@aws-sdk/client-glue";
import {
  CleanRoomsClient,
  CreateCollaborationCommand,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  GetProtectedQueryCommand,
  StartProtectedQueryCommand,
} from "@aws-sdk/client-cleanrooms";
import { startChild } from "./child";

// Protected queries end to end (StartProtectedQuery to SUCCESS) against the same SQL run directly
// by DuckDB on the same files with no controls, for two organizations of 1M and 10M customers.

export type Credentials = { accessKeyId: string; secretAccessKey: string };
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function generate(dir: string, customers: number, format: "parquet" | "csv" = "parquet") {
  const instance = await DuckDBInstance.create(":memory:", { threads: "2" });
  const db = await instance.connect();
  const a = path.join(dir, `a.${format}`);
  const b = path.join(dir, `b.${format}`);
  const to = format === "parquet" ? "(FORMAT parquet)" : "(HEADER)";
  await db.run(`COPY (SELECT range AS customer_id, ['18-24','25-34','35-44','45-54','55-64'][1 + (hash(range) % 5)::INT] AS age_group,
    ['east','west','central','north','south'][1 + (hash(range * 7) % 5)::INT] AS region, round((hash(range * 13) % 50000) / 100.0, 2) AS purchase_amount
    FROM range(${customers})) TO '${a}' ${to}`);
  await db.run(`COPY (SELECT range * 2 AS customer_id, (hash(range * 3) % 100)::DOUBLE AS engagement_score, ['email','social','mobile'][1 + (hash(range * 5) % 3)::INT] AS channel
    FROM range(${customers})) TO '${b}' ${to}`);
  db.closeSync();
  instance.closeSync();
  return { a, b };
}

/** The SQL the local cloud runs for `query`: the validator adds each table's output constraint. */
export const checkedQuery = () => `${query} HAVING ((count(DISTINCT a.customer_id) >= 100) AND (count(DISTINCT b.customer_id) >= 100))`;

export const query = `SELECT a.age_group, a.region, COUNT(DISTINCT a.customer_id) AS customers, SUM(a.purchase_amount) AS revenue, AVG(b.engagement_score) AS engagement
FROM org_a_customers a INNER JOIN org_b_engagement b ON a.customer_id = b.customer_id GROUP BY a.age_group, a.region`;

export async function register(endpoint: string, credentials: { a: Credentials; b: Credentials }, files: { a: string; b: string }, tag: string) {
  const client = <T>(Ctor: new (config: object) => T, who: Credentials, extra = {}) => new Ctor({ endpoint, region: "us-east-1", credentials: who, ...extra });
  const accounts = { a: "111111111111", b: "222222222222" } as const;
  const membership: Record<string, string> = {};
  const cleanA = client(CleanRoomsClient, credentials.a);
  const { collaboration } = await cleanA.send(
    new CreateCollaborationCommand({
      name: `bench ${tag}`,
      description: "bench",
      creatorDisplayName: "A",
      creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
      members: [{ accountId: accounts.b, displayName: "B", memberAbilities: [] }],
      queryLogStatus: "DISABLED",
    }),
  );
  for (const org of ["a", "b"] as const) {
    const s3 = client(S3Client, credentials[org], { forcePathStyle: true });
    const bucket = `bench-${org}-${tag}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await new Upload({ client: s3, params: { Bucket: bucket, Key: `data/${path.basename(files[org])}`, Body: fs.createReadStream(files[org]) }, partSize: 16 * 1024 * 1024 }).done();
    const classification = files[org].endsWith(".csv") ? "csv" : "parquet";
    const columns =
      org === "a"
        ? [
            ["customer_id", "bigint"],
            ["age_group", "string"],
            ["region", "string"],
            ["purchase_amount", "double"],
          ]
        : [
            ["customer_id", "bigint"],
            ["engagement_score", "double"],
            ["channel", "string"],
          ];
    const glue = client(GlueClient, credentials[org]);
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: `bench_${tag}` } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: `bench_${tag}`,
        TableInput: { Name: "data", Parameters: { classification }, StorageDescriptor: { Location: `s3://${bucket}/data/`, Columns: columns.map(([Name, Type]) => ({ Name, Type })) } },
      }),
    );
    const clean = client(CleanRoomsClient, credentials[org]);
    const results = org === "a" ? { defaultResultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV" as const, bucket, keyPrefix: "results" } } } } : {};
    membership[org] = (await clean.send(new CreateMembershipCommand({ collaborationIdentifier: collaboration!.id!, queryLogStatus: "DISABLED", ...results }))).membership!.id!;
    const table = (
      await clean.send(
        new CreateConfiguredTableCommand({
          name: `bench-${org}`,
          tableReference: { glue: { databaseName: `bench_${tag}`, tableName: "data" } },
          allowedColumns: columns.map(([name]) => name!),
          analysisMethod: "DIRECT_QUERY",
        }),
      )
    ).configuredTable!.id!;
    const aggregation =
      org === "a"
        ? {
            aggregateColumns: [
              { columnNames: ["purchase_amount"], function: "SUM" as const },
              { columnNames: ["customer_id"], function: "COUNT_DISTINCT" as const },
            ],
            joinColumns: ["customer_id"],
            dimensionColumns: ["age_group", "region"],
            scalarFunctions: [],
            outputConstraints: [{ columnName: "customer_id", minimum: 100, type: "COUNT_DISTINCT" as const }],
          }
        : {
            aggregateColumns: [{ columnNames: ["engagement_score"], function: "AVG" as const }],
            joinColumns: ["customer_id"],
            dimensionColumns: ["channel"],
            scalarFunctions: [],
            outputConstraints: [{ columnName: "customer_id", minimum: 100, type: "COUNT_DISTINCT" as const }],
          };
    await clean.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: table, analysisRuleType: "AGGREGATION", analysisRulePolicy: { v1: { aggregation } } }));
    await clean.send(
      new CreateConfiguredTableAssociationCommand({
        membershipIdentifier: membership[org],
        configuredTableIdentifier: table,
        name: org === "a" ? "org_a_customers" : "org_b_engagement",
        roleArn: `arn:aws:iam::${accounts[org]}:role/bench`,
      }),
    );
  }
  return { cleanA, membershipA: membership.a! };
}

/** One query as a client runs it: its id, the seconds until it saw SUCCESS, and how long the start request took. */
export async function run(cleanA: CleanRoomsClient, membershipIdentifier: string, sql = query, pollMs = 20) {
  const start = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9;
  const { protectedQuery } = await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier, type: "SQL", sqlParameters: { queryString: sql } }));
  const startRequest = seconds();
  for (;;) {
    // Poll as a client would: often enough to see the end within a few tens of milliseconds, not
    // so often that the polling itself takes a core from the query on a 2-core machine.
    await new Promise((r) => setTimeout(r, pollMs));
    const { protectedQuery: got } = await cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier, protectedQueryIdentifier: protectedQuery!.id! }));
    if (got!.status === "SUCCESS") return { id: protectedQuery!.id!, seconds: seconds(), startRequest };
    if (!["SUBMITTED", "STARTED"].includes(got!.status!)) throw new Error(`query ended ${got!.status}: ${got!.error?.message}`);
  }
}

let runs = 0;
/** The bench's query, its text made new by a comment: no run finds its validation done by an earlier one. */
export const fresh = (sql = query) => `${sql}\n-- run ${++runs}`;
const endToEnd = async (cleanA: CleanRoomsClient, membershipIdentifier: string, pollMs = 20) => (await run(cleanA, membershipIdentifier, fresh(), pollMs)).seconds;

/**
 * A local cloud that has run for a while, as a server does: twenty queries first, so that its
 * code is compiled and the files are in the page cache for both sides (no result is reused: each
 * query's text is new).
 */
export async function warmUp(cleanA: CleanRoomsClient, membershipIdentifier: string, pollMs = 20): Promise<void> {
  for (let i = 0; i < 20; i++) await run(cleanA, membershipIdentifier, fresh(), pollMs);
}

const reader = (file: string) => (file.endsWith(".csv") ? `read_csv('${file}', header = true)` : `read_parquet('${file}')`);

/** The same SQL in a plain DuckDB of its own, on the files themselves, with no controls. */
export async function direct(files: { a: string; b: string }, sql = query): Promise<number> {
  const instance = await DuckDBInstance.create(":memory:", { threads: String(os.availableParallelism()) });
  const db = await instance.connect();
  // DuckDB's own time for the work: the instance is open before the clock starts.
  const start = process.hrtime.bigint();
  await db.runAndReadAll(sql.replace("org_a_customers", reader(files.a)).replace("org_b_engagement", reader(files.b)));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  db.closeSync();
  instance.closeSync();
  return seconds;
}

export async function protectedQueryBench({ sizes = (process.env.BENCH_CUSTOMERS ?? "1000000,10000000").split(",").map(Number), repeat = 5 } = {}) {
  const rows: { customers: number; direct: number; directChecked: number; endToEnd: number; endToEndPoll50: number; peakMemoryMb: number }[] = [];
  for (const customers of sizes) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-data-"));
    const cloud = await startChild<{ port: number; credentials: { a: Credentials; b: Credentials } }>("scripts/bench/cloud-server.ts");
    try {
      const files = await generate(dir, customers);
      const { cleanA, membershipA } = await register(`http://127.0.0.1:${cloud.info.port}`, cloud.info.credentials, files, String(customers));
      cloud.resetPeak();
      const directTimes: number[] = [];
      const checkedTimes: number[] = [];
      const cloudTimes: number[] = [];
      const slowerPolls: number[] = [];
      await warmUp(cleanA, membershipA);
      for (let i = 0; i < repeat; i++) {
        // The sides alternate: plain DuckDB, the local cloud, plain DuckDB, the local cloud.
        directTimes.push(await direct(files));
        cloudTimes.push(await endToEnd(cleanA, membershipA));
        checkedTimes.push(await direct(files, checkedQuery()));
        // The client's polls share the machine's two cores with the query: the same query seen
        // by a client polling every 50 ms (the other end of the 20–50 ms a client would use).
        slowerPolls.push(await endToEnd(cleanA, membershipA, 50));
      }
      rows.push({
        customers,
        direct: median(directTimes),
        directChecked: median(checkedTimes),
        endToEnd: median(cloudTimes),
        endToEndPoll50: median(slowerPolls),
        peakMemoryMb: cloud.memory().peak / 1024 / 1024,
      });
    } finally {
      cloud.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

/**
 * CSV uploads: the first query converts each CSV object to a columnar copy, later ones read the
 * copy. Like with like: the first query beside DuckDB reading the CSV files, the later ones
 * beside DuckDB reading the same rows as Parquet.
 */
export async function csvCacheBench({ customers = 1_000_000, repeat = 5 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-csv-"));
  const cloud = await startChild<{ port: number; credentials: { a: Credentials; b: Credentials } }>("scripts/bench/cloud-server.ts");
  try {
    const files = await generate(dir, customers, "csv");
    const parquet = await generate(fs.mkdtempSync(path.join(dir, "parquet-")), customers, "parquet");
    const { cleanA, membershipA } = await register(`http://127.0.0.1:${cloud.info.port}`, cloud.info.credentials, files, `csv${customers}`);
    const directCsv = await direct(files);
    const first = await endToEnd(cleanA, membershipA);
    const directTimes: number[] = [];
    const cachedTimes: number[] = [];
    for (let i = 0; i < repeat; i++) {
      directTimes.push(await direct(parquet));
      cachedTimes.push(await endToEnd(cleanA, membershipA));
    }
    return { customers, first, directCsv, cached: median(cachedTimes), directParquet: median(directTimes) };
  } finally {
    cloud.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
