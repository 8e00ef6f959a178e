import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateCrawlerCommand, CreateDatabaseCommand, CreateTableCommand, GetCrawlerCommand, StartCrawlerCommand, type GlueClient } from "@aws-sdk/client-glue";
import {
  CreateCollaborationCommand,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  type AggregateColumn,
  type ScalarFunctions,
  type ConfiguredTableAnalysisRulePolicyV1,
  type CleanRoomsClient,
} from "@aws-sdk/client-cleanrooms";
import type { TestCloud } from "../../../../testing";

// The collaboration the adversarial suite attacks. Organization B (the victim) shares an
// aggregation table, a list table and a custom table; Organization A (the attacker) has tables of
// its own, shaped to attack with: thirty copies of one victim's id, thirty spellings of it as
// text, a permissive custom table. Every row is made here, in plain JavaScript, and so is the
// ground truth: the values the rules protect, computed from the rows without the engine.

export const A = "111111111111";
export const B = "222222222222";

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);
type Row = Record<string, string | number>;

const lonely = [
  { customer_id: 100, segment: "lonely-zero", region: "east", amount: 71234.5 },
  { customer_id: 101, segment: "cnry-seg-101", region: "east", amount: 86421.125 },
  { customer_id: 102, segment: "lonely-two", region: "west", amount: 72345.5 },
];
export const bCustomers: Row[] = [...range(30).map((i) => ({ customer_id: i, segment: ["gold", "silver", "bronze"][i % 3]!, region: ["east", "west"][i % 2]!, amount: 10 + i })), ...lonely].map(
  (row) => ({ ...row, email: `cnry-mail-${row.customer_id}@b.example`, ssn: `cnry-ssn-${row.customer_id}` }),
);
export const bContacts: Row[] = range(20).map((i) => ({ customer_id: i * 2, city: ["Lyon", "Oslo", "Pune"][i % 3]!, phone: `cnry-phone-${i}` }));
export const bPeople: Row[] = range(40).map((i) => ({ customer_id: i, region: ["east", "west", "north"][i % 3]!, email: `cnry-person-${i}@b.example`, score: i * 1.5 }));
export const aIds: Row[] = [
  ...range(30).map((i) => ({ customer_id: i, grp: ["p", "q"][i % 2]! })),
  ...range(30).map(() => ({ customer_id: 101, grp: "p" })),
  { customer_id: 100, grp: "q" },
  { customer_id: 102, grp: "q" },
];
export const aStrs: Row[] = [...range(30).map((i) => ({ customer_id: `${"0".repeat(i - 1)}101`, grp: "p" })), ...range(10).map((i) => ({ customer_id: String(i), grp: "q" }))];
export const aList: Row[] = range(30).map((i) => ({ customer_id: i, label: ["new", "old"][i % 2]! }));
export const aCustom: Row[] = range(40).map((i) => ({ customer_id: i, tag: `tag-${i % 4}` }));

/** Values the rules protect, from the rows alone: what must never reach the attacker. */
export function protectedValues(): string[] {
  const values = new Set<string>();
  // Columns no configured table allows, and columns a rule keeps out of the output.
  for (const row of bCustomers) values.add(String(row.email)).add(String(row.ssn));
  for (const row of bContacts) values.add(String(row.phone));
  for (const row of bPeople) values.add(String(row.email));
  // Dimension values and amounts of groups below the aggregation rule's minimum of 3.
  const bySegment = new Map<string, Row[]>();
  for (const row of bCustomers) bySegment.set(String(row.segment), [...(bySegment.get(String(row.segment)) ?? []), row]);
  for (const [segment, rows] of bySegment) {
    if (new Set(rows.map((r) => r.customer_id)).size >= 3) continue;
    values.add(segment);
    for (const row of rows) values.add(String(row.amount));
  }
  return [...values];
}

const csv = (rows: Row[]) => [Object.keys(rows[0]!).join(","), ...rows.map((r) => Object.values(r).join(","))].join("\n");

async function crawl(glue: GlueClient, name: string, path: string, account: string): Promise<void> {
  await glue.send(new CreateCrawlerCommand({ Name: name, Role: `arn:aws:iam::${account}:role/Glue`, DatabaseName: "analytics", Targets: { S3Targets: [{ Path: path }] } }));
  await glue.send(new StartCrawlerCommand({ Name: name }));
  for (let i = 0; i < 400; i++) {
    if ((await glue.send(new GetCrawlerCommand({ Name: name }))).Crawler?.State === "READY") return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`crawler ${name} did not finish`);
}

export interface World {
  cleanA: CleanRoomsClient;
  cleanB: CleanRoomsClient;
  membershipA: string;
  membershipB: string;
  collaborationId: string;
  /** Configured table ids by association name. */
  tables: Record<string, string>;
}

async function share(
  client: CleanRoomsClient,
  membership: string,
  account: string,
  name: string,
  glueTable: string,
  columns: string[],
  type: "AGGREGATION" | "LIST" | "CUSTOM",
  policy: ConfiguredTableAnalysisRulePolicyV1,
): Promise<string> {
  const { configuredTable } = await client.send(
    new CreateConfiguredTableCommand({ name, tableReference: { glue: { databaseName: "analytics", tableName: glueTable } }, allowedColumns: columns, analysisMethod: "DIRECT_QUERY" }),
  );
  await client.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: configuredTable!.id!, analysisRuleType: type, analysisRulePolicy: { v1: policy } }));
  await client.send(
    new CreateConfiguredTableAssociationCommand({ membershipIdentifier: membership, configuredTableIdentifier: configuredTable!.id!, name, roleArn: `arn:aws:iam::${account}:role/CleanRooms` }),
  );
  return configuredTable!.id!;
}

const scalarFunctions: ScalarFunctions[] = ["CAST", "ROUND", "LOWER", "UPPER", "COALESCE", "ABS", "TRUNC"];

export async function buildWorld(cloud: TestCloud): Promise<World> {
  const [s3A, s3B, glueA, glueB] = [await cloud.s3("org-a"), await cloud.s3("org-b"), await cloud.glue("org-a"), await cloud.glue("org-b")];
  const [cleanA, cleanB] = [await cloud.cleanrooms("org-a"), await cloud.cleanrooms("org-b")];
  for (const bucket of ["org-a-data", "org-a-results", "org-a-late"]) await s3A.send(new CreateBucketCommand({ Bucket: bucket }));
  await s3B.send(new CreateBucketCommand({ Bucket: "org-b-data" }));
  const put = (client: typeof s3A, bucket: string, key: string, rows: Row[]) => client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: csv(rows) }));
  await put(s3B, "org-b-data", "customers/part-0.csv", bCustomers);
  await put(s3B, "org-b-data", "contacts/part-0.csv", bContacts);
  await put(s3B, "org-b-data", "people/part-0.csv", bPeople);
  await put(s3A, "org-a-data", "ids/part-0.csv", aIds);
  await put(s3A, "org-a-data", "strs/part-0.csv", aStrs);
  await put(s3A, "org-a-data", "list/part-0.csv", aList);
  await put(s3A, "org-a-data", "custom/part-0.csv", aCustom);
  for (const glue of [glueA, glueB]) await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "analytics" } }));
  await crawl(glueB, "b", "s3://org-b-data/", B);
  await crawl(glueA, "a", "s3://org-a-data/", A);
  // The spellings must stay text, as the owner declares them: a table defined by hand.
  await glueA.send(
    new CreateTableCommand({
      DatabaseName: "analytics",
      TableInput: {
        Name: "strs_text",
        Parameters: { classification: "csv" },
        StorageDescriptor: {
          Location: "s3://org-a-data/strs/",
          Columns: [
            { Name: "customer_id", Type: "string" },
            { Name: "grp", Type: "string" },
          ],
        },
      },
    }),
  );

  const { collaboration } = await cleanA.send(
    new CreateCollaborationCommand({
      name: "adversarial",
      description: "attacks",
      creatorDisplayName: "A",
      creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
      members: [{ accountId: B, displayName: "B", memberAbilities: [] }],
      queryLogStatus: "ENABLED",
    }),
  );
  const collaborationId = collaboration!.id!;
  const membershipA = (
    await cleanA.send(
      new CreateMembershipCommand({
        collaborationIdentifier: collaborationId,
        queryLogStatus: "ENABLED",
        defaultResultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket: "org-a-results" } } },
      }),
    )
  ).membership!.id!;
  const membershipB = (await cleanB.send(new CreateMembershipCommand({ collaborationIdentifier: collaborationId, queryLogStatus: "ENABLED" }))).membership!.id!;

  const tables: Record<string, string> = {};
  const aggregation = (dimension: string[], aggregates: AggregateColumn[], minimum: number): ConfiguredTableAnalysisRulePolicyV1 => ({
    aggregation: {
      aggregateColumns: aggregates,
      joinColumns: ["customer_id"],
      dimensionColumns: dimension,
      scalarFunctions,
      outputConstraints: [{ columnName: "customer_id", minimum, type: "COUNT_DISTINCT" as const }],
    },
  });
  tables.b_customers = await share(
    cleanB,
    membershipB,
    B,
    "b_customers",
    "customers",
    ["customer_id", "segment", "region", "amount"],
    "AGGREGATION",
    aggregation(
      ["segment", "region"],
      [
        { columnNames: ["amount"], function: "SUM" },
        { columnNames: ["amount"], function: "AVG" },
        { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
      ],
      3,
    ),
  );
  tables.b_contacts = await share(cleanB, membershipB, B, "b_contacts", "contacts", ["customer_id", "city", "phone"], "LIST", { list: { joinColumns: ["customer_id"], listColumns: ["city"] } });
  tables.b_vict = await share(cleanB, membershipB, B, "b_vict", "people", ["customer_id", "region", "email", "score"], "CUSTOM", {
    custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [A], disallowedOutputColumns: ["email"] },
  });
  tables.a_ids = await share(cleanA, membershipA, A, "a_ids", "ids", ["customer_id", "grp"], "AGGREGATION", aggregation(["grp"], [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }], 2));
  tables.a_strs = await share(
    cleanA,
    membershipA,
    A,
    "a_strs",
    "strs_text",
    ["customer_id", "grp"],
    "AGGREGATION",
    aggregation(["grp"], [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }], 2),
  );
  tables.a_list = await share(cleanA, membershipA, A, "a_list", "list", ["customer_id", "label"], "LIST", { list: { joinColumns: ["customer_id"], listColumns: ["label"] } });
  tables.a_custom = await share(cleanA, membershipA, A, "a_custom", "custom", ["customer_id", "tag"], "CUSTOM", { custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [A] } });
  return { cleanA, cleanB, membershipA, membershipB, collaborationId, tables };
}
