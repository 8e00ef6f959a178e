import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from "@aws-sdk/client-glue";
import {
  CleanRoomsClient,
  CreateCollaborationCommand,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  CreatePrivacyBudgetTemplateCommand,
  GetProtectedQueryCommand,
  StartProtectedQueryCommand,
  type DifferentialPrivacySensitivityParameters,
} from "@aws-sdk/client-cleanrooms";
import { meanAbsoluteNoise } from "../../server/engine/privacy/accounting";
import { startChild } from "./child";
import { generate } from "./protected-queries";

// Differential privacy's price, on org-a's customers (one row each) as org-b's analysts see them:
// - time: the same grouped COUNT, SUM and AVG through a table protected by differential privacy
//   and through a plain custom-rule table over the same files, end to end through the SDK,
//   alternately in one run;
// - accuracy: the mean absolute error of each noisy COUNT, SUM and AVG against the exact answer,
//   over many runs, beside the error the documented mechanism predicts for the noise configured
//   (docs/privacy.md): COUNT n·L; SUM n·L·M (M the range's bound); AVG, to first order,
//   n·L·(M + |avg|) / count.

type Credentials = { accessKeyId: string; secretAccessKey: string };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const USERS_NOISE = 30;
const sql = (table: string) => `SELECT age_group, COUNT(*) AS customers, SUM(purchase_amount) AS revenue, AVG(purchase_amount) AS average FROM ${table} GROUP BY age_group ORDER BY age_group`;

async function register(endpoint: string, credentials: { a: Credentials; b: Credentials }, file: string) {
  const client = <T>(Ctor: new (config: object) => T, who: Credentials, extra = {}) => new Ctor({ endpoint, region: "us-east-1", credentials: who, ...extra });
  const [owner, analyst] = [client(CleanRoomsClient, credentials.a), client(CleanRoomsClient, credentials.b)];
  const s3A = client(S3Client, credentials.a, { forcePathStyle: true });
  const s3B = client(S3Client, credentials.b, { forcePathStyle: true });
  await s3A.send(new CreateBucketCommand({ Bucket: "dp-bench-data" }));
  await s3B.send(new CreateBucketCommand({ Bucket: "dp-bench-results" }));
  await new Upload({ client: s3A, params: { Bucket: "dp-bench-data", Key: "customers/a.parquet", Body: fs.createReadStream(file) }, partSize: 16 * 1024 * 1024 }).done();
  const columns = [
    ["customer_id", "bigint"],
    ["age_group", "string"],
    ["region", "string"],
    ["purchase_amount", "double"],
  ];
  await client(GlueClient, credentials.a).send(new CreateDatabaseCommand({ DatabaseInput: { Name: "dp_bench" } }));
  await client(GlueClient, credentials.a).send(
    new CreateTableCommand({
      DatabaseName: "dp_bench",
      TableInput: {
        Name: "customers",
        Parameters: { classification: "parquet" },
        StorageDescriptor: { Location: "s3://dp-bench-data/customers/", Columns: columns.map(([Name, Type]) => ({ Name, Type })) },
      },
    }),
  );
  const { collaboration } = await analyst.send(
    new CreateCollaborationCommand({
      name: "dp bench",
      description: "bench",
      creatorDisplayName: "B",
      creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
      members: [{ accountId: "111111111111", displayName: "A", memberAbilities: [] }],
      queryLogStatus: "DISABLED",
    }),
  );
  const analystMembership = (
    await analyst.send(
      new CreateMembershipCommand({
        collaborationIdentifier: collaboration!.id!,
        queryLogStatus: "DISABLED",
        defaultResultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket: "dp-bench-results" } } },
      }),
    )
  ).membership!.id!;
  const ownerMembership = (await owner.send(new CreateMembershipCommand({ collaborationIdentifier: collaboration!.id!, queryLogStatus: "DISABLED" }))).membership!.id!;
  for (const [name, differentialPrivacy] of [
    ["customers_private", { columns: [{ name: "customer_id" }] }],
    ["customers_plain", undefined],
  ] as const) {
    const table = (
      await owner.send(
        new CreateConfiguredTableCommand({
          name,
          tableReference: { glue: { databaseName: "dp_bench", tableName: "customers" } },
          allowedColumns: columns.map(([c]) => c!),
          analysisMethod: "DIRECT_QUERY",
        }),
      )
    ).configuredTable!.id!;
    await owner.send(
      new CreateConfiguredTableAnalysisRuleCommand({
        configuredTableIdentifier: table,
        analysisRuleType: "CUSTOM",
        analysisRulePolicy: {
          v1: {
            custom: {
              allowedAnalyses: ["ANY_QUERY"],
              allowedAnalysisProviders: ["222222222222"],
              ...(differentialPrivacy ? { differentialPrivacy: { columns: [...differentialPrivacy.columns] } } : {}),
            },
          },
        },
      }),
    );
    await owner.send(new CreateConfiguredTableAssociationCommand({ membershipIdentifier: ownerMembership, configuredTableIdentifier: table, name, roleArn: "arn:aws:iam::111111111111:role/bench" }));
  }
  await owner.send(
    new CreatePrivacyBudgetTemplateCommand({
      membershipIdentifier: ownerMembership,
      privacyBudgetType: "DIFFERENTIAL_PRIVACY",
      autoRefresh: "NONE",
      parameters: { differentialPrivacy: { epsilon: 20, usersNoisePerQuery: USERS_NOISE } },
    }),
  );
  return { analyst, analystMembership, s3B };
}

async function run(context: Awaited<ReturnType<typeof register>>, query: string) {
  const start = process.hrtime.bigint();
  const { protectedQuery } = await context.analyst.send(new StartProtectedQueryCommand({ membershipIdentifier: context.analystMembership, type: "SQL", sqlParameters: { queryString: query } }));
  for (;;) {
    const { protectedQuery: got } = await context.analyst.send(new GetProtectedQueryCommand({ membershipIdentifier: context.analystMembership, protectedQueryIdentifier: protectedQuery!.id! }));
    if (got!.status === "SUCCESS") {
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const [, bucket, key] = got!.result!.output!.s3!.location!.match(/^s3:\/\/([^/]+)\/(.+)$/)!;
      const body = await (await context.s3B.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
      const rows = body
        .trim()
        .split("\n")
        .slice(1)
        .map((line) => line.split(","));
      return { seconds, rows, parameters: got!.differentialPrivacy?.sensitivityParameters ?? [] };
    }
    if (!["SUBMITTED", "STARTED"].includes(got!.status!)) throw new Error(`query ended ${got!.status}: ${got!.error?.message}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function differentialPrivacyBench({ customers = 1_000_000, timed = 5, sampled = 30 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-dp-"));
  const cloud = await startChild<{ port: number; credentials: { a: Credentials; b: Credentials } }>("scripts/bench/cloud-server.ts");
  try {
    const files = await generate(dir, customers);
    const context = await register(`http://127.0.0.1:${cloud.info.port}`, cloud.info.credentials, files.a);
    const exact = (await run(context, sql("customers_plain"))).rows;
    await run(context, sql("customers_private")); // warm both
    const [plainTimes, privateTimes] = [[] as number[], [] as number[]];
    for (let i = 0; i < timed; i++) {
      plainTimes.push((await run(context, sql("customers_plain"))).seconds);
      privateTimes.push((await run(context, sql("customers_private"))).seconds);
    }
    // Accuracy: each run's noisy value against the exact one, per group and aggregate.
    const errors = { COUNT: [] as number[], SUM: [] as number[], AVG: [] as number[] };
    const predicted = { COUNT: [] as number[], SUM: [] as number[], AVG: [] as number[] };
    for (let i = 0; i < sampled; i++) {
      const { rows, parameters } = await run(context, sql("customers_private"));
      const [count, sum] = parameters as DifferentialPrivacySensitivityParameters[];
      const L = count!.userContributionLimit!;
      const M = Math.max(Math.abs(sum!.minColumnValue ?? 0), Math.abs(sum!.maxColumnValue ?? 0));
      for (const row of rows) {
        const truth = exact.find((r) => r[0] === row[0]);
        if (!truth) continue;
        const [trueCount, trueSum, trueAvg] = truth.slice(1).map(Number) as [number, number, number];
        errors.COUNT.push(Math.abs(Number(row[1]) - trueCount));
        errors.SUM.push(Math.abs(Number(row[2]) - trueSum));
        errors.AVG.push(Math.abs(Number(row[3]) - trueAvg));
        predicted.COUNT.push(meanAbsoluteNoise(USERS_NOISE * L));
        predicted.SUM.push(USERS_NOISE * L * M);
        predicted.AVG.push((USERS_NOISE * L * (M + Math.abs(trueAvg))) / trueCount);
      }
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    return {
      customers,
      usersNoisePerQuery: USERS_NOISE,
      plain: median(plainTimes),
      private: median(privateTimes),
      accuracy: (["COUNT", "SUM", "AVG"] as const).map((type) => ({ type, measured: mean(errors[type]), predicted: mean(predicted[type]), samples: errors[type].length })),
    };
  } finally {
    cloud.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
