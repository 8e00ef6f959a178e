import { DuckDBInstance } from "@duckdb/node-api";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateCrawlerCommand, CreateDatabaseCommand, GetCrawlerCommand, StartCrawlerCommand, type GlueClient } from "@aws-sdk/client-glue";
import {
  CreateAnalysisTemplateCommand,
  CreateCollaborationCommand,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  GetProtectedQueryCommand,
  ListProtectedQueriesCommand,
  StartProtectedQueryCommand,
  UpdateProtectedQueryCommand,
  type CleanRoomsClient,
  type ProtectedQuery,
} from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../../testing";
import type { ProtectedQueryBody } from "../model";
import { updateResource } from "../resources";
import { createCoreGate } from "@/server/engine/exec/gate";
import { protectedQueryResources } from "@/server/config";
import { recoverProtectedQueries } from "./runner";

// The seed's aggregation scenario, end to end through the SDK: Organization A's purchases and
// Organization B's engagement, by age group and region, with a minimum group size.

let cloud: TestCloud;
let cleanA: CleanRoomsClient;
let cleanB: CleanRoomsClient;
let s3A: S3Client;
let membershipA: string;
let membershipB: string;
let collaborationId: string;

const ageGroups = ["18-24", "25-34", "35-44", "45-54", "55-64"];
const regions = ["east", "west", "central"];
const customersCsv = [
  "customer_id,age_group,region,purchase_amount,product_category",
  ...Array.from({ length: 300 }, (_, i) => `${1000 + i},${ageGroups[i % 5]},${i === 4 ? "north" : regions[i % 3]},${((i * 37) % 400) + 20.5},${["books", "home"][i % 2]}`),
].join("\n");
const engagementCsv = ["customer_id,engagement_score,channel_preference", ...Array.from({ length: 200 }, (_, i) => `${1000 + i * 2},${(i * 13) % 100},${["email", "social", "mobile"][i % 3]}`)].join(
  "\n",
);

async function crawl(glue: GlueClient, name: string, path: string, account: string) {
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "analytics" } }));
  await glue.send(new CreateCrawlerCommand({ Name: name, Role: `arn:aws:iam::${account}:role/Glue`, DatabaseName: "analytics", Targets: { S3Targets: [{ Path: path }] } }));
  await glue.send(new StartCrawlerCommand({ Name: name }));
  for (let i = 0; i < 200; i++) {
    if ((await glue.send(new GetCrawlerCommand({ Name: name }))).Crawler?.State === "READY") return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function finished(client: CleanRoomsClient, membershipIdentifier: string, protectedQueryIdentifier: string): Promise<ProtectedQuery> {
  for (let i = 0; i < 400; i++) {
    const { protectedQuery } = await client.send(new GetProtectedQueryCommand({ membershipIdentifier, protectedQueryIdentifier }));
    if (!["SUBMITTED", "STARTED", "CANCELLING"].includes(protectedQuery!.status!)) return protectedQuery!;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the query did not finish");
}

async function errorOf(promise: Promise<unknown>): Promise<Error & { reason?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

beforeAll(async () => {
  cloud = await startTestCloud();
  [cleanA, cleanB, s3A] = [await cloud.cleanrooms("org-a"), await cloud.cleanrooms("org-b"), await cloud.s3("org-a")];
  const s3B = await cloud.s3("org-b");
  await s3A.send(new CreateBucketCommand({ Bucket: "org-a-data" }));
  await s3A.send(new CreateBucketCommand({ Bucket: "org-a-results" }));
  await s3B.send(new CreateBucketCommand({ Bucket: "org-b-data" }));
  await s3A.send(new PutObjectCommand({ Bucket: "org-a-data", Key: "customers/part-0.csv", Body: customersCsv }));
  await s3B.send(new PutObjectCommand({ Bucket: "org-b-data", Key: "engagement/part-0.csv", Body: engagementCsv }));
  await crawl(await cloud.glue("org-a"), "a", "s3://org-a-data/", "111111111111");
  await crawl(await cloud.glue("org-b"), "b", "s3://org-b-data/", "222222222222");

  const { collaboration } = await cleanA.send(
    new CreateCollaborationCommand({
      name: "retail x marketing",
      description: "seed scenario",
      creatorDisplayName: "Organization A",
      creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
      members: [{ accountId: "222222222222", displayName: "Organization B", memberAbilities: [] }],
      queryLogStatus: "ENABLED",
    }),
  );
  collaborationId = collaboration!.id!;
  membershipA = (
    await cleanA.send(
      new CreateMembershipCommand({
        collaborationIdentifier: collaborationId,
        queryLogStatus: "ENABLED",
        defaultResultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket: "org-a-results", keyPrefix: "query-results" } } },
      }),
    )
  ).membership!.id!;
  membershipB = (await cleanB.send(new CreateMembershipCommand({ collaborationIdentifier: collaborationId, queryLogStatus: "ENABLED" }))).membership!.id!;

  const tableA = (
    await cleanA.send(
      new CreateConfiguredTableCommand({
        name: "org-a-customers",
        tableReference: { glue: { databaseName: "analytics", tableName: "customers" } },
        allowedColumns: ["customer_id", "age_group", "region", "purchase_amount"],
        analysisMethod: "DIRECT_QUERY",
      }),
    )
  ).configuredTable!.id!;
  await cleanA.send(
    new CreateConfiguredTableAnalysisRuleCommand({
      configuredTableIdentifier: tableA,
      analysisRuleType: "AGGREGATION",
      analysisRulePolicy: {
        v1: {
          aggregation: {
            aggregateColumns: [
              { columnNames: ["purchase_amount"], function: "AVG" },
              { columnNames: ["purchase_amount"], function: "SUM" },
              { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
            ],
            joinColumns: ["customer_id"],
            dimensionColumns: ["age_group", "region"],
            scalarFunctions: ["ROUND"],
            outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
          },
        },
      },
    }),
  );
  await cleanA.send(
    new CreateConfiguredTableAssociationCommand({
      membershipIdentifier: membershipA,
      configuredTableIdentifier: tableA,
      name: "org_a_customers",
      roleArn: "arn:aws:iam::111111111111:role/CleanRooms",
    }),
  );

  const tableB = (
    await cleanB.send(
      new CreateConfiguredTableCommand({
        name: "org-b-engagement",
        tableReference: { glue: { databaseName: "analytics", tableName: "engagement" } },
        allowedColumns: ["customer_id", "engagement_score", "channel_preference"],
        analysisMethod: "DIRECT_QUERY",
      }),
    )
  ).configuredTable!.id!;
  await cleanB.send(
    new CreateConfiguredTableAnalysisRuleCommand({
      configuredTableIdentifier: tableB,
      analysisRuleType: "AGGREGATION",
      analysisRulePolicy: {
        v1: {
          aggregation: {
            aggregateColumns: [{ columnNames: ["engagement_score"], function: "AVG" }],
            joinColumns: ["customer_id"],
            joinRequired: "QUERY_RUNNER",
            dimensionColumns: ["channel_preference"],
            scalarFunctions: ["ROUND"],
            outputConstraints: [{ columnName: "customer_id", minimum: 5, type: "COUNT_DISTINCT" }],
          },
        },
      },
    }),
  );
  await cleanB.send(
    new CreateConfiguredTableAssociationCommand({
      membershipIdentifier: membershipB,
      configuredTableIdentifier: tableB,
      name: "org_b_engagement",
      roleArn: "arn:aws:iam::222222222222:role/CleanRooms",
    }),
  );
}, 120_000);

afterAll(async () => {
  await cloud.close();
});

const seedQuery = `SELECT a.age_group, a.region, COUNT(DISTINCT a.customer_id) AS customer_count, ROUND(AVG(a.purchase_amount), 2) AS avg_purchase_amount, ROUND(AVG(b.engagement_score), 2) AS avg_engagement_score
FROM org_a_customers a INNER JOIN org_b_engagement b ON a.customer_id = b.customer_id
GROUP BY a.age_group, a.region ORDER BY a.age_group, a.region`;

describe("protected queries", () => {
  it("runs the seed scenario and writes exactly what the rules permit to the receiver's bucket", async () => {
    const { protectedQuery } = await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }));
    expect(protectedQuery?.status).toBe("SUBMITTED");
    const done = await finished(cleanA, membershipA, protectedQuery!.id!);
    expect(done.status).toBe("SUCCESS");
    expect(done.statistics?.totalDurationInMillis).toBeGreaterThanOrEqual(0);
    const location = done.result!.output!.s3!.location!;
    expect(location).toBe(`s3://org-a-results/query-results/${protectedQuery!.id}/result.csv`);
    const object = await s3A.send(new GetObjectCommand({ Bucket: "org-a-results", Key: location.replace("s3://org-a-results/", "") }));
    const csv = await object.Body!.transformToString();

    // The same question to plain DuckDB, on the same rows, with both thresholds applied by hand.
    const instance = await DuckDBInstance.create(":memory:");
    const db = await instance.connect();
    const values = (csv: string, quoted: number[]) =>
      csv
        .split("\n")
        .slice(1)
        .map(
          (line) =>
            `(${line
              .split(",")
              .map((v, i) => (quoted.includes(i) ? `'${v}'` : v))
              .join(",")})`,
        )
        .join(",");
    await db.run(`CREATE TABLE org_a_customers AS SELECT * FROM (VALUES ${values(customersCsv, [1, 2, 4])}) t(customer_id, age_group, region, purchase_amount, product_category)`);
    await db.run(`CREATE TABLE org_b_engagement AS SELECT * FROM (VALUES ${values(engagementCsv, [2])}) t(customer_id, engagement_score, channel_preference)`);
    const expected = (
      await db.runAndReadAll(seedQuery.replace("GROUP BY a.age_group, a.region", "GROUP BY a.age_group, a.region HAVING count(DISTINCT a.customer_id) >= 3 AND count(DISTINCT b.customer_id) >= 5"))
    ).getRowsJS();
    db.closeSync();
    instance.closeSync();
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("age_group,region,customer_count,avg_purchase_amount,avg_engagement_score");
    expect(lines.slice(1)).toEqual(expected.map((row) => row.map((v) => String(v)).join(",")));
    expect(csv).not.toContain("north");
  }, 60_000);

  it("refuses at once, with an explanation, what the rules forbid", async () => {
    const refused = await errorOf(
      cleanA.send(
        new StartProtectedQueryCommand({
          membershipIdentifier: membershipA,
          type: "SQL",
          sqlParameters: { queryString: "SELECT a.age_group, COUNT(a.purchase_amount) FROM org_a_customers a JOIN org_b_engagement b ON a.customer_id = b.customer_id GROUP BY a.age_group" },
        }),
      ),
    );
    expect([refused.name, refused.reason]).toEqual(["ValidationException", "INVALID_QUERY"]);
    expect(refused.message).toContain('Column "purchase_amount" of "org_a_customers" may only be aggregated with AVG or SUM');
    const alone = await errorOf(
      cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: "SELECT a.region FROM org_a_customers a" } })),
    );
    expect(alone.message).toContain("must select at least one aggregate");
  });

  it("lets only a member who can query start queries, and only into its own buckets", async () => {
    const notQuerier = await errorOf(cleanB.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipB, type: "SQL", sqlParameters: { queryString: seedQuery } })));
    expect(notQuerier.name).toBe("AccessDeniedException");
    const otherBucket = await errorOf(
      cleanA.send(
        new StartProtectedQueryCommand({
          membershipIdentifier: membershipA,
          type: "SQL",
          sqlParameters: { queryString: seedQuery },
          resultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket: "org-b-data" } } },
        }),
      ),
    );
    expect(otherBucket.message).toContain('Bucket "org-b-data" is not a bucket of your account');
  });

  it("writes Parquet when asked, and lists queries by status", async () => {
    const { protectedQuery } = await cleanA.send(
      new StartProtectedQueryCommand({
        membershipIdentifier: membershipA,
        type: "SQL",
        sqlParameters: { queryString: "SELECT region, SUM(purchase_amount) AS total FROM org_a_customers GROUP BY region" },
        resultConfiguration: { outputConfiguration: { s3: { resultFormat: "PARQUET", bucket: "org-a-results", keyPrefix: "parquet" } } },
      }),
    );
    const done = await finished(cleanA, membershipA, protectedQuery!.id!);
    expect(done.result?.output?.s3?.location).toMatch(/^s3:\/\/org-a-results\/parquet\/.+\/result\.parquet$/);
    const listed = await cleanA.send(new ListProtectedQueriesCommand({ membershipIdentifier: membershipA, status: "SUCCESS" }));
    expect(listed.protectedQueries!.map((q) => q.id)).toContain(protectedQuery!.id);
    expect((await cleanB.send(new ListProtectedQueriesCommand({ membershipIdentifier: membershipB }))).protectedQueries).toEqual([]);
  });

  it("rejects an analysis template run on aggregation tables", async () => {
    const { analysisTemplate } = await cleanA.send(
      new CreateAnalysisTemplateCommand({
        membershipIdentifier: membershipA,
        name: "by_region",
        format: "SQL",
        source: { text: "SELECT region, SUM(purchase_amount) FROM org_a_customers WHERE age_group = :age GROUP BY region" },
        analysisParameters: [{ name: "age", type: "VARCHAR" }],
      }),
    );
    const refused = await errorOf(
      cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { analysisTemplateArn: analysisTemplate!.arn!, parameters: { age: "25-34" } } })),
    );
    expect(refused.message).toContain("Analysis templates run only on tables with a custom analysis rule");
  });

  it("cancels a waiting query, refuses to cancel a finished one, and never leaves one stuck after a restart", async () => {
    // Hold the queue (as if both slots were busy) so the next query waits in SUBMITTED.
    const queue = (globalThis as unknown as { __runQueues: Map<string, { active: number; members: Map<string, unknown> }> }).__runQueues.get("protected-queries")!;
    queue.active += 100;
    const { protectedQuery } = await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }));
    const cancelled = await cleanA.send(new UpdateProtectedQueryCommand({ membershipIdentifier: membershipA, protectedQueryIdentifier: protectedQuery!.id!, targetStatus: "CANCELLED" }));
    expect(cancelled.protectedQuery?.status).toBe("CANCELLED");
    const again = await errorOf(cleanA.send(new UpdateProtectedQueryCommand({ membershipIdentifier: membershipA, protectedQueryIdentifier: protectedQuery!.id!, targetStatus: "CANCELLED" })));
    expect([again.name, again.reason]).toEqual(["ConflictException", "INVALID_STATE"]);

    // A restart finds one query that was running and one still waiting.
    const waiting = (await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }))).protectedQuery!.id!;
    const running = (await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }))).protectedQuery!.id!;
    await updateResource<ProtectedQueryBody>(running, (stored) => ({ body: { ...stored.body, status: "STARTED" as const } }));
    queue.active -= 100;
    queue.members.clear();
    await recoverProtectedQueries();
    const interrupted = await finished(cleanA, membershipA, running);
    expect(interrupted.status).toBe("FAILED");
    expect(interrupted.error?.message).toContain("interrupted by a restart");
    expect((await finished(cleanA, membershipA, waiting)).status).toBe("SUCCESS");
  }, 60_000);

  it("keeps a query SUBMITTED while it waits for the cores, and a cancel then ends it without running it", async () => {
    // Take every thread of the budget, as a query running alone would.
    const cores = createCoreGate("protected-query-cores", protectedQueryResources);
    const held = await cores.enter();
    expect(held.threads).toBe(protectedQueryResources().threadBudget);
    const { protectedQuery } = await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }));
    for (let i = 0; i < 100 && !cores.waiting; i++) await new Promise((r) => setTimeout(r, 10));
    expect(cores.waiting).toBe(1); // prepared, waiting for its turn
    const id = protectedQuery!.id!;
    const state = async () => (await cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: membershipA, protectedQueryIdentifier: id }))).protectedQuery!;
    expect((await state()).status).toBe("SUBMITTED");
    await cleanA.send(new UpdateProtectedQueryCommand({ membershipIdentifier: membershipA, protectedQueryIdentifier: id, targetStatus: "CANCELLED" }));
    held.leave();
    for (let i = 0; i < 100 && cores.waiting; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    const ended = await state();
    expect([ended.status, ended.result]).toEqual(["CANCELLED", undefined]);
    // The cores are free again: the next query runs.
    const next = await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }));
    expect((await finished(cleanA, membershipA, next.protectedQuery!.id!)).status).toBe("SUCCESS");
  }, 60_000);

  it("answers a client polling a query in progress when the query moves, and a first question or an ended query at once", async () => {
    const wait = process.env.PROTECTED_QUERY_STATUS_WAIT_MS;
    process.env.PROTECTED_QUERY_STATUS_WAIT_MS = "20000";
    const cores = createCoreGate("protected-query-cores", protectedQueryResources);
    const held = await cores.enter();
    const start = async () => {
      const { protectedQuery } = await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }));
      for (let i = 0; i < 100 && !cores.waiting; i++) await new Promise((r) => setTimeout(r, 10));
      return protectedQuery!.id!;
    };
    const ask = (id: string) => cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: membershipA, protectedQueryIdentifier: id }));
    const cancel = (id: string) => cleanA.send(new UpdateProtectedQueryCommand({ membershipIdentifier: membershipA, protectedQueryIdentifier: id, targetStatus: "CANCELLED" }));
    const within = <T>(asked: Promise<T>, ms: number) => Promise.race([asked.then(() => "answered"), new Promise((r) => setTimeout(() => r("waiting"), ms))]);
    try {
      // The query waits for the cores in SUBMITTED. The client that started it is polling it: its
      // question is answered only once the query moves.
      const id = await start();
      const asked = ask(id);
      expect(await within(asked, 500)).toBe("waiting");
      await cancel(id);
      expect((await asked).protectedQuery?.status).toBe("CANCELLED");
      // Ended: answered at once, however long the wait may be.
      expect(await within(ask(id), 500)).toBe("answered");
      expect((await ask(id)).protectedQuery?.status).toBe("CANCELLED");
      // A question about a query nobody asked about for a while (a page showing it) is answered at once.
      const other = await start();
      await new Promise((r) => setTimeout(r, 2_100));
      const shown = ask(other);
      expect(await within(shown, 500)).toBe("answered");
      expect((await shown).protectedQuery?.status).toBe("SUBMITTED");
      await cancel(other);
    } finally {
      held.leave();
      if (wait === undefined) delete process.env.PROTECTED_QUERY_STATUS_WAIT_MS;
      else process.env.PROTECTED_QUERY_STATUS_WAIT_MS = wait;
    }
  }, 20_000);

  it("answers a poll made while the query waits for the cores when the query ends, not when it starts", async () => {
    const wait = process.env.PROTECTED_QUERY_STATUS_WAIT_MS;
    process.env.PROTECTED_QUERY_STATUS_WAIT_MS = "20000";
    const cores = createCoreGate("protected-query-cores", protectedQueryResources);
    // Every thread of the budget held (a query of an earlier test may still hold some), so the
    // query waits in SUBMITTED.
    const holds: { threads: number; leave(): void }[] = [];
    for (let threads = 0; threads < protectedQueryResources().threadBudget;) {
      const held = await cores.enter();
      holds.push(held);
      threads += held.threads;
    }
    const release = () => holds.forEach((held) => held.leave());
    try {
      const { protectedQuery } = await cleanA.send(new StartProtectedQueryCommand({ membershipIdentifier: membershipA, type: "SQL", sqlParameters: { queryString: seedQuery } }));
      for (let i = 0; i < 100 && !cores.waiting; i++) await new Promise((r) => setTimeout(r, 10));
      expect(cores.waiting).toBe(1);
      const asked = cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: membershipA, protectedQueryIdentifier: protectedQuery!.id! }));
      const early = await Promise.race([asked.then(() => "answered"), new Promise((r) => setTimeout(() => r("waiting"), 300))]);
      expect(early).toBe("waiting");
      // The query goes through STARTED to SUCCESS; the poll sees the end.
      release();
      const answered = (await asked).protectedQuery!;
      expect(answered.status).toBe("SUCCESS");
      expect(answered.result?.output?.s3?.location).toBeDefined();
    } finally {
      release();
      if (wait === undefined) delete process.env.PROTECTED_QUERY_STATUS_WAIT_MS;
      else process.env.PROTECTED_QUERY_STATUS_WAIT_MS = wait;
    }
  }, 20_000);

  it("reads a replaced object's new rows, never a stale columnar copy", async () => {
    const totals = async () => {
      const { protectedQuery } = await cleanA.send(
        new StartProtectedQueryCommand({
          membershipIdentifier: membershipA,
          type: "SQL",
          sqlParameters: { queryString: "SELECT region, SUM(purchase_amount) AS total FROM org_a_customers GROUP BY region ORDER BY region" },
        }),
      );
      const done = await finished(cleanA, membershipA, protectedQuery!.id!);
      const object = await s3A.send(new GetObjectCommand({ Bucket: "org-a-results", Key: done.result!.output!.s3!.location!.replace("s3://org-a-results/", "") }));
      return (await object.Body!.transformToString())
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => Number(line.split(",")[1]));
    };
    const before = await totals();
    const doubled = customersCsv
      .split("\n")
      .map((line, i) =>
        i === 0
          ? line
          : line
              .split(",")
              .map((v, j) => (j === 3 ? String(Number(v) * 2) : v))
              .join(","),
      )
      .join("\n");
    await s3A.send(new PutObjectCommand({ Bucket: "org-a-data", Key: "customers/part-0.csv", Body: doubled }));
    expect(await totals()).toEqual(before.map((t) => t * 2));
  }, 60_000);
});
