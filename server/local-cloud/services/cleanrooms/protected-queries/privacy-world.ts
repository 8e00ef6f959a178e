import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateCrawlerCommand, CreateDatabaseCommand, GetCrawlerCommand, StartCrawlerCommand } from "@aws-sdk/client-glue";
import {
  CreateCollaborationCommand,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  CreatePrivacyBudgetTemplateCommand,
  GetProtectedQueryCommand,
  ListPrivacyBudgetsCommand,
  StartProtectedQueryCommand,
  type AnalysisRuleCustom as CustomPolicy,
  type CleanRoomsClient,
  type ProtectedQuery,
} from "@aws-sdk/client-cleanrooms";
import { startTestCloud, type TestCloud } from "../../../testing";

// A collaboration for differential-privacy tests, built through the SDK as a client would: the
// marketing company (org-b, 222222222222) contributes "visits", protected by differential privacy
// with the user identifier customer_id; the retailer (org-a, 111111111111) queries it and
// receives results in its bucket.

export interface PrivacyWorld {
  cloud: TestCloud;
  analyst: CleanRoomsClient;
  owner: CleanRoomsClient;
  analystMembership: string;
  ownerMembership: string;
  collaborationId: string;
  templateId: string;
  /** Starts a query and waits for it to end. */
  run(sql: string): Promise<ProtectedQuery>;
  /** The CSV a successful query wrote, as rows of cells. */
  result(query: ProtectedQuery): Promise<string[][]>;
  /** ListPrivacyBudgets' counts for the analyst, by aggregation type. */
  budget(): Promise<Record<string, { maxCount: number; remainingCount: number }>>;
}

/** `tables` maps each of org-b's tables to its CSV; every one is protected with user identifier customer_id. */
export async function privacyWorld(options: { tables: Record<string, string>; epsilon: number; usersNoisePerQuery: number; store?: "pglite" | "postgres" }): Promise<PrivacyWorld> {
  const cloud = await startTestCloud(options.store ? { store: options.store } : {});
  const [analyst, owner] = [await cloud.cleanrooms("org-a"), await cloud.cleanrooms("org-b")];
  const [s3A, s3B] = [await cloud.s3("org-a"), await cloud.s3("org-b")];
  await s3A.send(new CreateBucketCommand({ Bucket: "org-a-results" }));
  await s3B.send(new CreateBucketCommand({ Bucket: "org-b-data" }));
  await catalogueCsv(cloud, "org-b", { bucket: "org-b-data", database: "analytics", tables: options.tables });

  const { collaboration } = await analyst.send(
    new CreateCollaborationCommand({
      name: "dp",
      description: "differential privacy",
      creatorDisplayName: "Retailer",
      creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
      members: [{ accountId: "222222222222", displayName: "Marketer", memberAbilities: [] }],
      queryLogStatus: "ENABLED",
    }),
  );
  const collaborationId = collaboration!.id!;
  const analystMembership = (
    await analyst.send(
      new CreateMembershipCommand({
        collaborationIdentifier: collaborationId,
        queryLogStatus: "ENABLED",
        defaultResultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket: "org-a-results" } } },
      }),
    )
  ).membership!.id!;
  const ownerMembership = (await owner.send(new CreateMembershipCommand({ collaborationIdentifier: collaborationId, queryLogStatus: "ENABLED" }))).membership!.id!;
  for (const [name, csv] of Object.entries(options.tables)) {
    await associateCustomTable(owner, "222222222222", ownerMembership, {
      name,
      database: "analytics",
      columns: csv.split("\n")[0]!.split(","),
      custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"], differentialPrivacy: { columns: [{ name: "customer_id" }] } },
    });
  }
  const templateId = (
    await owner.send(
      new CreatePrivacyBudgetTemplateCommand({
        membershipIdentifier: ownerMembership,
        privacyBudgetType: "DIFFERENTIAL_PRIVACY",
        autoRefresh: "CALENDAR_MONTH",
        parameters: { differentialPrivacy: { epsilon: options.epsilon, usersNoisePerQuery: options.usersNoisePerQuery } },
      }),
    )
  ).privacyBudgetTemplate!.id!;

  const finished = async (id: string) => {
    for (;;) {
      const { protectedQuery } = await analyst.send(new GetProtectedQueryCommand({ membershipIdentifier: analystMembership, protectedQueryIdentifier: id }));
      if (!["SUBMITTED", "STARTED", "CANCELLING"].includes(protectedQuery!.status!)) return protectedQuery!;
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    cloud,
    analyst,
    owner,
    analystMembership,
    ownerMembership,
    collaborationId,
    templateId,
    async run(sql) {
      const { protectedQuery } = await analyst.send(new StartProtectedQueryCommand({ membershipIdentifier: analystMembership, type: "SQL", sqlParameters: { queryString: sql } }));
      return finished(protectedQuery!.id!);
    },
    async result(query) {
      const [, bucket, key] = query.result!.output!.s3!.location!.match(/^s3:\/\/([^/]+)\/(.+)$/)!;
      const body = await (await s3A.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString();
      return body
        .trim()
        .split("\n")
        .map((line) => line.split(","));
    },
    async budget() {
      const { privacyBudgetSummaries } = await analyst.send(new ListPrivacyBudgetsCommand({ membershipIdentifier: analystMembership, privacyBudgetType: "DIFFERENTIAL_PRIVACY" }));
      return Object.fromEntries(privacyBudgetSummaries![0]!.budget!.differentialPrivacy!.aggregations!.map((a) => [a.type!, { maxCount: a.maxCount!, remainingCount: a.remainingCount! }]));
    },
  };
}

/** Puts each CSV at `<name>/part-0.csv` of the organization's bucket and crawls the bucket into a Glue database of that name. */
export async function catalogueCsv(cloud: TestCloud, slug: string, { bucket, database, tables }: { bucket: string; database: string; tables: Record<string, string> }): Promise<void> {
  const [s3, glue, { accountId }] = [await cloud.s3(slug), await cloud.glue(slug), await cloud.credentials(slug)];
  for (const [name, csv] of Object.entries(tables)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${name}/part-0.csv`, Body: csv }));
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: database } }));
  await glue.send(new CreateCrawlerCommand({ Name: database, Role: `arn:aws:iam::${accountId}:role/Glue`, DatabaseName: database, Targets: { S3Targets: [{ Path: `s3://${bucket}/` }] } }));
  await glue.send(new StartCrawlerCommand({ Name: database }));
  while ((await glue.send(new GetCrawlerCommand({ Name: database }))).Crawler?.State !== "READY") await new Promise((r) => setTimeout(r, 50));
}

/** A configured table over a catalogued Glue table, with a custom rule, associated with the membership under its own name. */
export async function associateCustomTable(
  client: CleanRoomsClient,
  accountId: string,
  membershipIdentifier: string,
  table: { name: string; database: string; columns: string[]; custom: CustomPolicy },
): Promise<string> {
  const { name, database, columns, custom } = table;
  const id = (
    await client.send(new CreateConfiguredTableCommand({ name, tableReference: { glue: { databaseName: database, tableName: name } }, allowedColumns: columns, analysisMethod: "DIRECT_QUERY" }))
  ).configuredTable!.id!;
  await client.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: id, analysisRuleType: "CUSTOM", analysisRulePolicy: { v1: { custom } } }));
  await client.send(new CreateConfiguredTableAssociationCommand({ membershipIdentifier, configuredTableIdentifier: id, name, roleArn: `arn:aws:iam::${accountId}:role/CleanRooms` }));
  return id;
}
