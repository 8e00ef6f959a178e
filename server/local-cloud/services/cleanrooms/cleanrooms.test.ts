import { CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { CreateDatabaseCommand, CreateTableCommand } from "@aws-sdk/client-glue";
import {
  BatchGetSchemaCommand,
  CleanRoomsClient,
  CreateAnalysisTemplateCommand,
  CreateCollaborationCommand,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  DeleteConfiguredTableAssociationCommand,
  DeleteConfiguredTableCommand,
  GetConfiguredTableAssociationCommand,
  DeleteMembershipCommand,
  GetCollaborationAnalysisTemplateCommand,
  GetCollaborationCommand,
  GetConfiguredTableAnalysisRuleCommand,
  GetConfiguredTableCommand,
  GetMembershipCommand,
  GetSchemaAnalysisRuleCommand,
  GetSchemaCommand,
  ListCollaborationAnalysisTemplatesCommand,
  ListCollaborationsCommand,
  ListConfiguredTablesCommand,
  ListMembersCommand,
  ListSchemasCommand,
  ListTagsForResourceCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateConfiguredTableAnalysisRuleCommand,
  type ConfiguredTableAnalysisRulePolicy,
} from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

let cloud: TestCloud;
let a: CleanRoomsClient;
let b: CleanRoomsClient;
let collaborationId: string;
let membershipA: string;
let membershipB: string;
let tableA: string;

async function errorOf(promise: Promise<unknown>): Promise<Error & { reason?: string; fieldList?: { name: string; message: string }[]; $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error("expected the call to fail");
}

const aggregation = (overrides: Record<string, unknown> = {}) =>
  ({
    v1: {
      aggregation: {
        aggregateColumns: [
          { columnNames: ["purchase_amount"], function: "SUM" },
          { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
        ],
        joinColumns: ["customer_id"],
        dimensionColumns: ["age_group", "region"],
        scalarFunctions: ["ROUND"],
        outputConstraints: [{ columnName: "customer_id", minimum: 100, type: "COUNT_DISTINCT" }],
        ...overrides,
      },
    },
  }) as ConfiguredTableAnalysisRulePolicy;

async function catalogTable(slug: string, table: string, columns: [string, string][]) {
  const glue = await cloud.glue(slug);
  await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "analytics" } })).catch(() => {});
  await glue.send(
    new CreateTableCommand({
      DatabaseName: "analytics",
      TableInput: { Name: table, StorageDescriptor: { Columns: columns.map(([Name, Type]) => ({ Name, Type })), Location: `s3://${slug}-data/${table}/` } },
    }),
  );
}

beforeAll(async () => {
  cloud = await startTestCloud();
  a = await cloud.cleanrooms("org-a");
  b = await cloud.cleanrooms("org-b");
  await catalogTable("org-a", "customers", [
    ["customer_id", "bigint"],
    ["age_group", "string"],
    ["region", "string"],
    ["purchase_amount", "double"],
    ["email", "string"],
  ]);
  await catalogTable("org-b", "engagement", [
    ["customer_id", "bigint"],
    ["engagement_score", "double"],
    ["channel", "string"],
  ]);
  const s3 = await cloud.s3("org-a");
  await s3.send(new CreateBucketCommand({ Bucket: "org-a-results" }));
  await s3.send(new PutObjectCommand({ Bucket: "org-a-results", Key: "readme", Body: "results land here" }));
});
afterAll(async () => {
  await cloud.close();
});

describe("collaborations and memberships", () => {
  it("invites every member, the creator included, until each creates its membership", async () => {
    const { collaboration } = await a.send(
      new CreateCollaborationCommand({
        name: "Retail x Marketing",
        description: "Overlap of customers by age group and region",
        creatorDisplayName: "Organization A",
        creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
        members: [{ accountId: "222222222222", displayName: "Organization B", memberAbilities: [] }],
        queryLogStatus: "ENABLED",
      }),
    );
    collaborationId = collaboration!.id!;
    expect(collaboration).toMatchObject({ creatorAccountId: "111111111111", memberStatus: "INVITED", analyticsEngine: "CLEAN_ROOMS_SQL" });
    expect(collaboration!.arn).toBe(`arn:aws:cleanrooms:us-east-1:111111111111:collaboration/${collaborationId}`);
    expect((await b.send(new ListCollaborationsCommand({ memberStatus: "INVITED" }))).collaborationList?.map((c) => c.id)).toEqual([collaborationId]);

    const resultConfig = { outputConfiguration: { s3: { resultFormat: "CSV" as const, bucket: "org-a-results", keyPrefix: "results" } } };
    const refused = await errorOf(b.send(new CreateMembershipCommand({ collaborationIdentifier: collaborationId, queryLogStatus: "ENABLED", defaultResultConfiguration: resultConfig })));
    expect(refused.name).toBe("ValidationException");
    membershipA = (await a.send(new CreateMembershipCommand({ collaborationIdentifier: collaborationId, queryLogStatus: "ENABLED", defaultResultConfiguration: resultConfig }))).membership!.id!;
    membershipB = (await b.send(new CreateMembershipCommand({ collaborationIdentifier: collaborationId, queryLogStatus: "ENABLED" }))).membership!.id!;
    const again = await errorOf(b.send(new CreateMembershipCommand({ collaborationIdentifier: collaborationId, queryLogStatus: "ENABLED" })));
    expect([again.name, again.reason]).toEqual(["ConflictException", "ALREADY_EXISTS"]);

    const members = (await b.send(new ListMembersCommand({ collaborationIdentifier: collaborationId }))).memberSummaries!;
    expect(members.map((m) => [m.accountId, m.status, m.abilities])).toEqual(
      expect.arrayContaining([
        ["111111111111", "ACTIVE", ["CAN_QUERY", "CAN_RECEIVE_RESULTS"]],
        ["222222222222", "ACTIVE", []],
      ]),
    );
    const membership = (await a.send(new GetMembershipCommand({ membershipIdentifier: membershipA }))).membership!;
    expect(membership).toMatchObject({ status: "ACTIVE", collaborationId, memberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"], paymentConfiguration: { queryCompute: { isResponsible: true } } });
  });

  it("hides collaborations and memberships from accounts outside them", async () => {
    const outsider = new CleanRoomsClient({
      endpoint: cloud.endpoint,
      region: "us-east-1",
      credentials: await cloud.credentials("org-a").then(() => ({ accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" })),
    });
    expect((await errorOf(outsider.send(new ListCollaborationsCommand({})))).name).toBe("UnrecognizedClientException");
    expect((await errorOf(b.send(new GetMembershipCommand({ membershipIdentifier: membershipA })))).name).toBe("ResourceNotFoundException");
    const notMember = await errorOf(a.send(new GetCollaborationCommand({ collaborationIdentifier: "00000000-0000-4000-8000-000000000000" })));
    expect(notMember.$metadata.httpStatusCode).toBe(404);
  });
});

describe("configured tables and analysis rules", () => {
  it("requires a Glue table of the caller's own catalog and its real columns", async () => {
    const missing = await errorOf(
      b.send(
        new CreateConfiguredTableCommand({
          name: "t",
          tableReference: { glue: { databaseName: "analytics", tableName: "customers" } },
          allowedColumns: ["customer_id"],
          analysisMethod: "DIRECT_QUERY",
        }),
      ),
    );
    expect(missing.name).toBe("ValidationException");
    expect(missing.fieldList?.[0]?.name).toBe("tableReference.glue.tableName");
    const badColumn = await errorOf(
      a.send(
        new CreateConfiguredTableCommand({
          name: "t",
          tableReference: { glue: { databaseName: "analytics", tableName: "customers" } },
          allowedColumns: ["customer_id", "ssn"],
          analysisMethod: "DIRECT_QUERY",
        }),
      ),
    );
    expect(badColumn.message).toContain('Column "ssn" is not a column of Glue table analytics.customers');
    const { configuredTable } = await a.send(
      new CreateConfiguredTableCommand({
        name: "org_a_customers",
        tableReference: { glue: { databaseName: "analytics", tableName: "customers" } },
        allowedColumns: ["customer_id", "age_group", "region", "purchase_amount"],
        analysisMethod: "DIRECT_QUERY",
      }),
    );
    tableA = configuredTable!.id!;
    expect(configuredTable).toMatchObject({ analysisRuleTypes: [], allowedColumns: ["customer_id", "age_group", "region", "purchase_amount"] });
    expect((await errorOf(b.send(new GetConfiguredTableCommand({ configuredTableIdentifier: tableA })))).name).toBe("ResourceNotFoundException");
    expect((await b.send(new ListConfiguredTablesCommand({}))).configuredTableSummaries).toEqual([]);
  });

  it("validates aggregation rules field by field", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ dimensionColumns: ["email"] }, "analysisRulePolicy.v1.aggregation.dimensionColumns", 'Column "email" is not an allowed column'],
      [{ outputConstraints: [{ columnName: "customer_id", minimum: 1, type: "COUNT_DISTINCT" }] }, "analysisRulePolicy.v1.aggregation.outputConstraints.1.minimum", "greater than or equal to 2"],
      [
        { outputConstraints: [{ columnName: "customer_id", minimum: 100001, type: "COUNT_DISTINCT" }] },
        "analysisRulePolicy.v1.aggregation.outputConstraints.1.minimum",
        "less than or equal to 100000",
      ],
      [{ aggregateColumns: [] }, "analysisRulePolicy.v1.aggregation.aggregateColumns", "greater than or equal to 1"],
      [{ aggregateColumns: [{ columnNames: ["purchase_amount"], function: "MEDIAN" }] }, "analysisRulePolicy.v1.aggregation.aggregateColumns.1.function", "enum value set"],
      [{ scalarFunctions: ["SLEEP"] }, "analysisRulePolicy.v1.aggregation.scalarFunctions.1", "enum value set"],
      [{ dimensionColumns: ["customer_id"] }, "analysisRulePolicy.v1.aggregation.dimensionColumns", "cannot be both a join column and a dimension column"],
      [{ joinColumns: undefined }, "analysisRulePolicy.v1.aggregation.joinColumns", "must not be null"],
    ];
    for (const [override, field, fragment] of cases) {
      const error = await errorOf(
        a.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: tableA, analysisRuleType: "AGGREGATION", analysisRulePolicy: aggregation(override) })),
      );
      expect([error.name, error.reason]).toEqual(["ValidationException", "FIELD_VALIDATION_FAILED"]);
      expect(error.fieldList?.map((f) => f.name)).toContain(field);
      expect(error.message).toContain(fragment);
    }
    const mismatch = await errorOf(a.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: tableA, analysisRuleType: "LIST", analysisRulePolicy: aggregation() })));
    expect(mismatch.fieldList?.[0]?.name).toBe("analysisRulePolicy.v1");
  });

  it("stores one rule per table, readable and updatable by the owner only", async () => {
    const { analysisRule } = await a.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: tableA, analysisRuleType: "AGGREGATION", analysisRulePolicy: aggregation() }));
    expect(analysisRule).toMatchObject({ type: "AGGREGATION", configuredTableId: tableA, policy: aggregation() });
    const second = await errorOf(
      a.send(
        new CreateConfiguredTableAnalysisRuleCommand({
          configuredTableIdentifier: tableA,
          analysisRuleType: "LIST",
          analysisRulePolicy: { v1: { list: { joinColumns: ["customer_id"], listColumns: ["region"] } } },
        }),
      ),
    );
    expect([second.name, second.reason]).toEqual(["ConflictException", "ALREADY_EXISTS"]);
    await a.send(
      new UpdateConfiguredTableAnalysisRuleCommand({
        configuredTableIdentifier: tableA,
        analysisRuleType: "AGGREGATION",
        analysisRulePolicy: aggregation({ outputConstraints: [{ columnName: "customer_id", minimum: 150, type: "COUNT_DISTINCT" }] }),
      }),
    );
    const read = await a.send(new GetConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: tableA, analysisRuleType: "AGGREGATION" }));
    expect(read.analysisRule?.policy?.v1?.aggregation?.outputConstraints?.[0]?.minimum).toBe(150);
    expect((await errorOf(b.send(new GetConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: tableA, analysisRuleType: "AGGREGATION" })))).name).toBe("ResourceNotFoundException");
  });
});

describe("associations, schemas and templates", () => {
  it("associates a table under a name, with the owner's role only, and refuses deleting an associated table", async () => {
    const wrongRole = await errorOf(
      a.send(
        new CreateConfiguredTableAssociationCommand({
          membershipIdentifier: membershipA,
          configuredTableIdentifier: tableA,
          name: "customers",
          roleArn: "arn:aws:iam::222222222222:role/CleanRoomsAnalyticsRole",
        }),
      ),
    );
    expect([wrongRole.name, wrongRole.fieldList?.[0]?.name]).toEqual(["ValidationException", "roleArn"]);
    const notOwner = await errorOf(
      b.send(
        new CreateConfiguredTableAssociationCommand({
          membershipIdentifier: membershipB,
          configuredTableIdentifier: tableA,
          name: "stolen",
          roleArn: "arn:aws:iam::222222222222:role/CleanRoomsAnalyticsRole",
        }),
      ),
    );
    expect(notOwner.name).toBe("ResourceNotFoundException");
    const { configuredTableAssociation } = await a.send(
      new CreateConfiguredTableAssociationCommand({
        membershipIdentifier: membershipA,
        configuredTableIdentifier: tableA,
        name: "org_a_customers",
        roleArn: "arn:aws:iam::111111111111:role/CleanRoomsAnalyticsRole",
      }),
    );
    expect(configuredTableAssociation).toMatchObject({ name: "org_a_customers", membershipId: membershipA, configuredTableId: tableA });
    const receivers = await errorOf(
      a.send(
        new CreateConfiguredTableAssociationAnalysisRuleCommand({
          membershipIdentifier: membershipA,
          configuredTableAssociationIdentifier: configuredTableAssociation!.id!,
          analysisRuleType: "AGGREGATION",
          analysisRulePolicy: { v1: { aggregation: { allowedResultReceivers: ["222222222222"] } } },
        }),
      ),
    );
    expect(receivers.message).toContain("Account 222222222222 is not a member of this collaboration who can receive results");
    await a.send(
      new CreateConfiguredTableAssociationAnalysisRuleCommand({
        membershipIdentifier: membershipA,
        configuredTableAssociationIdentifier: configuredTableAssociation!.id!,
        analysisRuleType: "AGGREGATION",
        analysisRulePolicy: { v1: { aggregation: { allowedResultReceivers: ["111111111111"] } } },
      }),
    );
    const inUse = await errorOf(a.send(new DeleteConfiguredTableCommand({ configuredTableIdentifier: tableA })));
    expect([inUse.name, inUse.reason]).toEqual(["ConflictException", "SUBRESOURCES_EXIST"]);
    const leave = await errorOf(a.send(new DeleteMembershipCommand({ membershipIdentifier: membershipA })));
    expect(leave.name).toBe("AccessDeniedException");
    // Another member can neither read nor change the association through its own membership or A's.
    for (const membershipIdentifier of [membershipA, membershipB]) {
      const read = await errorOf(b.send(new GetConfiguredTableAssociationCommand({ membershipIdentifier, configuredTableAssociationIdentifier: configuredTableAssociation!.id! })));
      expect(read.name).toBe("ResourceNotFoundException");
      const removed = await errorOf(b.send(new DeleteConfiguredTableAssociationCommand({ membershipIdentifier, configuredTableAssociationIdentifier: configuredTableAssociation!.id! })));
      expect(removed.name).toBe("ResourceNotFoundException");
    }
  });

  it("shows every member the schema and rules, never the Glue table behind them", async () => {
    const summaries = (await b.send(new ListSchemasCommand({ collaborationIdentifier: collaborationId }))).schemaSummaries!;
    expect(summaries.map((s) => [s.name, s.creatorAccountId, s.analysisRuleTypes])).toEqual([["org_a_customers", "111111111111", ["AGGREGATION"]]]);
    const { schema } = await b.send(new GetSchemaCommand({ collaborationIdentifier: collaborationId, name: "org_a_customers" }));
    expect(schema?.columns).toEqual([
      { name: "customer_id", type: "bigint" },
      { name: "age_group", type: "string" },
      { name: "region", type: "string" },
      { name: "purchase_amount", type: "double" },
    ]);
    expect(JSON.stringify(schema)).not.toContain("analytics");
    expect(JSON.stringify(schema)).not.toContain("email");
    const rule = (await b.send(new GetSchemaAnalysisRuleCommand({ collaborationIdentifier: collaborationId, name: "org_a_customers", type: "AGGREGATION" }))).analysisRule!;
    expect(rule.policy?.v1?.aggregation?.outputConstraints?.[0]?.minimum).toBe(150);
    expect(rule.consolidatedPolicy?.v1?.aggregation).toMatchObject({ allowedResultReceivers: ["111111111111"] });
    const batch = await b.send(new BatchGetSchemaCommand({ collaborationIdentifier: collaborationId, names: ["org_a_customers", "nope"] }));
    expect(batch.schemas?.map((s) => s.name)).toEqual(["org_a_customers"]);
    expect(batch.errors?.map((e) => [e.name, e.code])).toEqual([["nope", "ResourceNotFoundException"]]);
  });

  it("keeps analysis templates with their parameters and referenced tables", async () => {
    const bad = await errorOf(
      a.send(
        new CreateAnalysisTemplateCommand({
          membershipIdentifier: membershipA,
          name: "by_region",
          format: "SQL",
          source: { text: "SELECT region, SUM(purchase_amount) FROM org_a_customers WHERE age_group = :age GROUP BY region" },
        }),
      ),
    );
    expect(bad.message).toContain("parameter :age");
    const { analysisTemplate } = await a.send(
      new CreateAnalysisTemplateCommand({
        membershipIdentifier: membershipA,
        name: "by_region",
        format: "SQL",
        source: { text: "SELECT region, SUM(purchase_amount) FROM org_a_customers WHERE age_group = :age AND region <> 'a:b' GROUP BY region" },
        analysisParameters: [{ name: "age", type: "VARCHAR", defaultValue: "25-34" }],
      }),
    );
    expect(analysisTemplate?.schema?.referencedTables).toEqual(["org_a_customers"]);
    const forB = await b.send(new ListCollaborationAnalysisTemplatesCommand({ collaborationIdentifier: collaborationId }));
    expect(forB.collaborationAnalysisTemplateSummaries?.map((t) => [t.name, t.creatorAccountId])).toEqual([["by_region", "111111111111"]]);
    const view = await b.send(new GetCollaborationAnalysisTemplateCommand({ collaborationIdentifier: collaborationId, analysisTemplateArn: analysisTemplate!.arn! }));
    expect(view.collaborationAnalysisTemplate?.analysisParameters).toEqual([{ name: "age", type: "VARCHAR", defaultValue: "25-34" }]);
    const notQuerier = await errorOf(b.send(new CreateAnalysisTemplateCommand({ membershipIdentifier: membershipB, name: "x", format: "SQL", source: { text: "SELECT 1" } })));
    expect(notQuerier.name).toBe("AccessDeniedException");
  });

  it("tags only the owner's resources", async () => {
    const { configuredTable } = await a.send(new GetConfiguredTableCommand({ configuredTableIdentifier: tableA }));
    await a.send(new TagResourceCommand({ resourceArn: configuredTable!.arn!, tags: { team: "retail", env: "demo" } }));
    await a.send(new UntagResourceCommand({ resourceArn: configuredTable!.arn!, tagKeys: ["env"] }));
    expect((await a.send(new ListTagsForResourceCommand({ resourceArn: configuredTable!.arn! }))).tags).toEqual({ team: "retail" });
    expect((await errorOf(b.send(new ListTagsForResourceCommand({ resourceArn: configuredTable!.arn! })))).name).toBe("ResourceNotFoundException");
  });
});

describe("pagination", () => {
  it("pages lists with nextToken and maxResults", async () => {
    for (let i = 0; i < 5; i++) {
      await b.send(
        new CreateCollaborationCommand({ name: `b-${i}`, description: "paging", creatorDisplayName: "Organization B", creatorMemberAbilities: [], members: [], queryLogStatus: "DISABLED" }),
      );
    }
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await b.send(new ListCollaborationsCommand({ maxResults: 2, nextToken }));
      seen.push(...page.collaborationList!.map((c) => c.name!));
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen.sort()).toEqual(["Retail x Marketing", "b-0", "b-1", "b-2", "b-3", "b-4"]);
    expect((await a.send(new ListCollaborationsCommand({}))).collaborationList!.map((c) => c.name)).toEqual(["Retail x Marketing"]);
    const bad = await errorOf(b.send(new ListCollaborationsCommand({ nextToken: "not-a-token" })));
    expect(bad.name).toBe("ValidationException");
  });
});
