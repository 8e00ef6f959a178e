import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "./testing";

// The recipe this project comes from (../shared/seed), run with the preinstalled AWS CLI against
// the local cloud, as two organizations: Organization A (111111111111) and B (222222222222).
// Its flags are corrected where they are wrong for the real API; each correction is noted.

const run = promisify(execFile);
let cloud: TestCloud;
let workDir: string;
/** Where step 7's protected query wrote its result, for the QuickSight steps. */
let recipeResult = "";
const env: Record<string, Record<string, string | undefined>> = {};

async function aws(org: "a" | "b", ...args: string[]): Promise<unknown> {
  const text = args.includes("--output");
  const { stdout } = await run("aws", text ? args : [...args, "--output", "json"], { env: env[org] as NodeJS.ProcessEnv, cwd: workDir, timeout: 60_000 });
  if (text) return stdout.trim();
  return stdout.trim() ? JSON.parse(stdout) : null;
}

async function awsFails(org: "a" | "b", ...args: string[]): Promise<string> {
  try {
    await run("aws", args, { env: env[org] as NodeJS.ProcessEnv, cwd: workDir, timeout: 60_000 });
  } catch (error) {
    return (error as { stderr: string }).stderr;
  }
  throw new Error(`expected aws ${args.join(" ")} to fail`);
}

beforeAll(async () => {
  cloud = await startTestCloud();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "recipe-"));
  for (const [org, slug] of [
    ["a", "org-a"],
    ["b", "org-b"],
  ] as const) {
    const { accessKeyId, secretAccessKey } = await cloud.credentials(slug);
    env[org] = {
      PATH: process.env.PATH,
      HOME: workDir,
      AWS_ACCESS_KEY_ID: accessKeyId,
      AWS_SECRET_ACCESS_KEY: secretAccessKey,
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_ENDPOINT_URL: cloud.endpoint,
      AWS_PAGER: "",
    };
  }
  // The recipe's sample data. Correction: its two datasets share no customer (1001… and 2001…),
  // so a join on the customer finds nobody; here Organization B's customers are 1001–1010 too.
  fs.writeFileSync(
    path.join(workDir, "customer_data_org_a.csv"),
    `customer_id,age_group,region,purchase_amount,product_category,registration_date
1001,25-34,east,250.00,electronics,2023-01-15
1002,35-44,west,180.50,clothing,2023-02-20
1003,45-54,central,320.75,home,2023-01-10
1004,25-34,east,95.25,books,2023-03-05
1005,55-64,west,450.00,electronics,2023-02-28
1006,25-34,central,180.00,electronics,2023-01-25
1007,35-44,east,275.50,clothing,2023-02-15
1008,45-54,west,395.25,home,2023-03-01
1009,25-34,central,125.75,books,2023-02-10
1010,55-64,east,520.00,electronics,2023-03-12
`,
  );
  fs.writeFileSync(
    path.join(workDir, "customer_data_org_b.csv"),
    `customer_id,age_group,region,engagement_score,channel_preference,last_interaction
1001,25-34,east,85,email,2023-03-15
1002,35-44,west,72,social,2023-03-20
1003,45-54,central,91,email,2023-03-10
1004,25-34,east,68,mobile,2023-03-25
1005,55-64,west,88,email,2023-03-18
1006,25-34,central,76,mobile,2023-03-08
1007,35-44,east,82,email,2023-03-22
1008,45-54,west,94,social,2023-03-05
1009,25-34,central,69,mobile,2023-03-14
1010,55-64,east,87,email,2023-03-20
`,
  );
});

afterAll(async () => {
  await cloud.close();
  fs.rmSync(workDir, { recursive: true, force: true });
});

async function crawl(org: "a" | "b", name: string) {
  await aws(org, "glue", "start-crawler", "--name", name);
  for (let i = 0; i < 300; i++) {
    const { Crawler } = (await aws(org, "glue", "get-crawler", "--name", name)) as { Crawler: { State: string; LastCrawl?: { Status: string } } };
    if (Crawler.State === "READY") return Crawler;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("crawler did not finish");
}

it("runs the recipe's S3, Glue and Clean Rooms steps up to table associations", async () => {
  // Preparation: identities, buckets, versioning and encryption.
  expect(await aws("a", "sts", "get-caller-identity")).toMatchObject({ Account: "111111111111" });
  expect(await aws("b", "sts", "get-caller-identity")).toMatchObject({ Account: "222222222222" });
  for (const [org, bucket] of [
    ["a", "clean-rooms-data-a-demo"],
    ["b", "clean-rooms-data-b-demo"],
  ] as const) {
    await run("aws", ["s3", "mb", `s3://${bucket}`], { env: env[org] as NodeJS.ProcessEnv, cwd: workDir });
    await aws(org, "s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled");
    // Correction: this CLI's shorthand cannot nest braces in a list; the same value as JSON.
    await aws(
      org,
      "s3api",
      "put-bucket-encryption",
      "--bucket",
      bucket,
      "--server-side-encryption-configuration",
      JSON.stringify({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] }),
    );
    expect(await aws(org, "s3api", "get-bucket-versioning", "--bucket", bucket)).toEqual({ Status: "Enabled" });
  }
  // Each organization owns its bucket: B cannot read A's.
  expect(await awsFails("b", "s3", "ls", "s3://clean-rooms-data-a-demo/")).toContain("AccessDenied");

  // Step 1: upload the datasets.
  await run("aws", ["s3", "cp", "customer_data_org_a.csv", "s3://clean-rooms-data-a-demo/data/"], { env: env.a as NodeJS.ProcessEnv, cwd: workDir });
  await run("aws", ["s3", "cp", "customer_data_org_b.csv", "s3://clean-rooms-data-b-demo/data/"], { env: env.b as NodeJS.ProcessEnv, cwd: workDir });
  const listed = (await aws("a", "s3api", "list-objects-v2", "--bucket", "clean-rooms-data-a-demo", "--prefix", "data/")) as { Contents: { Key: string }[] };
  expect(listed.Contents.map((c) => c.Key)).toEqual(["data/customer_data_org_a.csv"]);

  // Step 3: a Glue database and a crawler per organization, in its own account. (Step 2, IAM,
  // has no counterpart here: role ARNs are recorded and checked for the right account.)
  for (const org of ["a", "b"] as const) {
    await aws(
      org,
      "glue",
      "create-database",
      "--database-input",
      JSON.stringify({ Name: "clean_rooms_analytics_demo", Description: "Clean Rooms analytics database for privacy-preserving collaboration" }),
    );
    const account = org === "a" ? "111111111111" : "222222222222";
    await aws(
      org,
      "glue",
      "create-crawler",
      "--name",
      `crawler-org-${org}-demo`,
      "--role",
      `arn:aws:iam::${account}:role/GlueCleanRoomsRole`,
      "--database-name",
      "clean_rooms_analytics_demo",
      "--description",
      `Crawler for Organization ${org.toUpperCase()} customer data`,
      "--targets",
      JSON.stringify({ S3Targets: [{ Path: `s3://clean-rooms-data-${org}-demo/data/` }] }),
    );
    expect((await crawl(org, `crawler-org-${org}-demo`)).LastCrawl?.Status).toBe("SUCCEEDED");
  }
  // Correction: a crawler names a table after the folder its files are in ("data"), not after
  // the file, so the recipe's contains(Name, 'customer_data_org_a') finds nothing on AWS either.
  const tableA = (await aws("a", "glue", "get-tables", "--database-name", "clean_rooms_analytics_demo", "--query", "TableList[0].Name")) as string;
  expect(tableA).toBe("data");
  const columns = (await aws("a", "glue", "get-table", "--database-name", "clean_rooms_analytics_demo", "--name", "data", "--query", "Table.StorageDescriptor.Columns")) as {
    Name: string;
    Type: string;
  }[];
  expect(columns).toContainEqual({ Name: "purchase_amount", Type: "double" });

  // Step 4: the collaboration. Corrections: --creator-member-abilities (not --member-abilities),
  // --creator-display-name and --members are required.
  const created = (await aws(
    "a",
    "cleanrooms",
    "create-collaboration",
    "--name",
    "analytics-collaboration-demo",
    "--description",
    "Privacy-preserving analytics collaboration for cross-organizational insights",
    "--creator-member-abilities",
    "CAN_QUERY",
    "CAN_RECEIVE_RESULTS",
    "--creator-display-name",
    "Organization A",
    "--members",
    JSON.stringify([{ accountId: "222222222222", memberAbilities: [], displayName: "Organization B" }]),
    "--query-log-status",
    "ENABLED",
    "--data-encryption-metadata",
    JSON.stringify({ preserveNulls: true, allowCleartext: false, allowDuplicates: false, allowJoinsOnColumnsWithDifferentNames: false }),
  )) as { collaboration: { id: string } };
  const collaborationId = (await aws("a", "cleanrooms", "list-collaborations", "--query", "collaborationList[?name=='analytics-collaboration-demo'].id", "--output", "text")) as unknown;
  expect(collaborationId).toBe(created.collaboration.id);
  // Correction: the recipe's flag names are refused, as AWS refuses them.
  expect(await awsFails("a", "cleanrooms", "create-collaboration", "--name", "x", "--description", "x", "--member-abilities", "CAN_QUERY", "--query-log-status", "ENABLED")).toMatch(
    /Unknown options|required/,
  );

  // Correction: every member, the creator included, joins with create-membership, and
  // associations take that membership's id, not the collaboration id.
  const membership: Record<string, string> = {};
  for (const org of ["a", "b"] as const) {
    membership[org] = (await aws(
      org,
      "cleanrooms",
      "create-membership",
      "--collaboration-identifier",
      created.collaboration.id,
      "--query-log-status",
      "ENABLED",
      "--query",
      "membership.id",
    )) as string;
  }

  // Step 5: configured tables. Correction: customer_id is allowed too, to join on it.
  const configured: Record<string, string> = {};
  for (const [org, columnsAllowed] of [
    ["a", "customer_id age_group region product_category purchase_amount"],
    ["b", "customer_id age_group region channel_preference engagement_score"],
  ] as const) {
    configured[org] = (await aws(
      org,
      "cleanrooms",
      "create-configured-table",
      "--name",
      `org-${org}-customers`,
      "--description",
      `Organization ${org.toUpperCase()} customer data for privacy-preserving analytics`,
      "--table-reference",
      JSON.stringify({ glue: { tableName: "data", databaseName: "clean_rooms_analytics_demo" } }),
      "--allowed-columns",
      ...columnsAllowed.split(" "),
      "--analysis-method",
      "DIRECT_QUERY",
      "--query",
      "configuredTable.id",
    )) as string;
  }
  expect(await aws("a", "cleanrooms", "list-configured-tables", "--query", "configuredTableSummaries[?name=='org-a-customers'].id", "--output", "text")).toBe(configured.a);
  // Each owner sees only its own configured tables.
  expect(await awsFails("b", "cleanrooms", "get-configured-table", "--configured-table-identifier", configured.a!)).toContain("ResourceNotFoundException");

  // Correction: queries need an analysis rule on each table; the recipe adds none.
  const rules = {
    a: {
      aggregateColumns: [
        { columnNames: ["purchase_amount"], function: "AVG" },
        { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
      ],
      joinColumns: ["customer_id"],
      dimensionColumns: ["age_group", "region", "product_category"],
      scalarFunctions: [],
      outputConstraints: [{ columnName: "customer_id", minimum: 2, type: "COUNT_DISTINCT" }],
    },
    b: {
      aggregateColumns: [{ columnNames: ["engagement_score"], function: "AVG" }],
      joinColumns: ["customer_id"],
      dimensionColumns: ["channel_preference"],
      scalarFunctions: [],
      outputConstraints: [{ columnName: "customer_id", minimum: 2, type: "COUNT_DISTINCT" }],
    },
  };
  for (const org of ["a", "b"] as const) {
    await aws(
      org,
      "cleanrooms",
      "create-configured-table-analysis-rule",
      "--configured-table-identifier",
      configured[org]!,
      "--analysis-rule-type",
      "AGGREGATION",
      "--analysis-rule-policy",
      JSON.stringify({ v1: { aggregation: rules[org] } }),
    );
  }
  const refused = await awsFails(
    "a",
    "cleanrooms",
    "update-configured-table-analysis-rule",
    "--configured-table-identifier",
    configured.a!,
    "--analysis-rule-type",
    "AGGREGATION",
    "--analysis-rule-policy",
    JSON.stringify({ v1: { aggregation: { ...rules.a, dimensionColumns: ["registration_date"] } } }),
  );
  expect(refused).toContain("ValidationException");
  expect(refused).toContain('Column "registration_date" is not an allowed column of configured table "org-a-customers"');

  // Step 6: associations, under the names the recipe's query uses.
  for (const org of ["a", "b"] as const) {
    const account = org === "a" ? "111111111111" : "222222222222";
    await aws(
      org,
      "cleanrooms",
      "create-configured-table-association",
      "--name",
      `org_${org}_customers`,
      "--description",
      `Association for Organization ${org.toUpperCase()} data with privacy controls`,
      "--membership-identifier",
      membership[org]!,
      "--configured-table-identifier",
      configured[org]!,
      "--role-arn",
      `arn:aws:iam::${account}:role/CleanRoomsAnalyticsRole`,
    );
  }
  const schemas = (await aws("b", "cleanrooms", "list-schemas", "--collaboration-identifier", created.collaboration.id, "--query", "schemaSummaries[].[name, creatorAccountId]")) as string[][];
  expect(schemas.sort()).toEqual([
    ["org_a_customers", "111111111111"],
    ["org_b_customers", "222222222222"],
  ]);
  const schema = (await aws("b", "cleanrooms", "get-schema", "--collaboration-identifier", created.collaboration.id, "--name", "org_a_customers", "--query", "schema.columns[].name")) as string[];
  expect(schema).toEqual(["customer_id", "age_group", "region", "product_category", "purchase_amount"]);

  // Step 7: the protected query. Corrections: the tables join on the customer (age group and
  // region are dimensions, not join columns), COUNT(*) becomes COUNT(DISTINCT customer_id), the
  // minimum group size is the analysis rules' business (the recipe's HAVING is dropped), and the
  // membership id, not the collaboration id, identifies the querying member.
  await run("aws", ["s3", "mb", "s3://clean-rooms-results-demo"], { env: env.a as NodeJS.ProcessEnv, cwd: workDir });
  const query = `SELECT a.age_group, a.region, COUNT(DISTINCT a.customer_id) AS customer_count, AVG(a.purchase_amount) AS avg_purchase_amount, AVG(b.engagement_score) AS avg_engagement_score FROM org_a_customers a INNER JOIN org_b_customers b ON a.customer_id = b.customer_id GROUP BY a.age_group, a.region ORDER BY a.age_group, a.region`;
  const queryId = (await aws(
    "a",
    "cleanrooms",
    "start-protected-query",
    "--type",
    "SQL",
    "--membership-identifier",
    membership.a!,
    "--sql-parameters",
    JSON.stringify({ queryString: query }),
    "--result-configuration",
    JSON.stringify({ outputConfiguration: { s3: { resultFormat: "CSV", bucket: "clean-rooms-results-demo", keyPrefix: "query-results" } } }),
    "--query",
    "protectedQuery.id",
  )) as string;
  let status = "SUBMITTED";
  let location = "";
  for (let i = 0; i < 100 && ["SUBMITTED", "STARTED"].includes(status); i++) {
    const got = (await aws("a", "cleanrooms", "get-protected-query", "--membership-identifier", membership.a!, "--protected-query-identifier", queryId)) as {
      protectedQuery: { status: string; result?: { output: { s3: { location: string } } } };
    };
    status = got.protectedQuery.status;
    location = got.protectedQuery.result?.output.s3.location ?? "";
  }
  expect(status).toBe("SUCCESS");
  recipeResult = location;
  const { stdout: result } = await run("aws", ["s3", "cp", location, "-"], { env: env.a as NodeJS.ProcessEnv, cwd: workDir });
  // Only the groups with at least two customers on both sides survive the output constraints.
  expect(result.trim().split("\n")).toEqual(["age_group,region,customer_count,avg_purchase_amount,avg_engagement_score", "25-34,central,2,152.875,72.5", "25-34,east,2,172.625,76.5"]);
  const refusedQuery = await awsFails(
    "a",
    "cleanrooms",
    "start-protected-query",
    "--type",
    "SQL",
    "--membership-identifier",
    membership.a!,
    "--sql-parameters",
    JSON.stringify({ queryString: query.replace("COUNT(DISTINCT a.customer_id)", "COUNT(*)") }),
  );
  expect(refusedQuery).toContain("ValidationException");
  expect(refusedQuery).toContain("COUNT(*) is not allowed");
}, 240_000);

it("runs the recipe's QuickSight steps (8 and 10), its validation and its cleanup over step 7's result", async () => {
  expect(recipeResult).toMatch(/^s3:\/\/clean-rooms-results-demo\/query-results\//);
  const account = (await cloud.credentials("org-a")).accountId;
  const qs = (...args: string[]) => aws("a", "quicksight", ...args, "--aws-account-id", account);
  // Step 8. Not subscribed yet: describe-account-settings fails, so the recipe subscribes.
  // Correction: --authentication-method is required.
  expect(await awsFails("a", "quicksight", "describe-account-settings", "--aws-account-id", account)).toContain("ResourceNotFoundException");
  await qs(
    "create-account-subscription",
    "--account-name",
    "Clean Rooms Analytics",
    "--notification-email",
    "admin@example.com",
    "--edition",
    "STANDARD",
    "--authentication-method",
    "IAM_AND_QUICKSIGHT",
  );
  expect(await qs("describe-account-settings")).toMatchObject({ AccountSettings: { AccountName: "Clean Rooms Analytics", Edition: "STANDARD", DefaultNamespace: "default" } });
  // Correction: QuickSight registers IAM users and roles, not an account's root, and needs an e-mail.
  const user = (await qs("register-user", "--namespace", "default", "--identity-type", "QUICKSIGHT", "--user-name", "analytics-admin", "--email", "admin@example.com", "--user-role", "ADMIN")) as {
    User: { Arn: string };
  };
  expect(
    await awsFails(
      "a",
      "quicksight",
      "register-user",
      "--aws-account-id",
      account,
      "--namespace",
      "default",
      "--identity-type",
      "QUICKSIGHT",
      "--user-name",
      "analytics-admin",
      "--email",
      "admin@example.com",
      "--user-role",
      "ADMIN",
    ),
  ).toContain("ResourceExistsException");
  // Correction: an S3 data source reads a manifest file naming the result files, not a prefix; and
  // permissions go to QuickSight users, not to an IAM root.
  const manifest = { fileLocations: [{ URIs: [recipeResult.replace("s3://", "https://s3.amazonaws.com/")] }], globalUploadSettings: { format: "CSV", delimiter: ",", containsHeader: "true" } };
  fs.writeFileSync(path.join(workDir, "manifest.json"), JSON.stringify(manifest));
  await run("aws", ["s3", "cp", "manifest.json", "s3://clean-rooms-results-demo/quicksight/manifest.json"], { env: env.a as NodeJS.ProcessEnv, cwd: workDir });
  const userPermissions = (actions: string[]) => JSON.stringify([{ Principal: user.User.Arn, Actions: actions }]);
  const source = (await qs(
    "create-data-source",
    "--data-source-id",
    "clean-rooms-results-demo",
    "--name",
    "Clean Rooms Analytics Results",
    "--type",
    "S3",
    "--data-source-parameters",
    JSON.stringify({ S3Parameters: { ManifestFileLocation: { Bucket: "clean-rooms-results-demo", Key: "quicksight/manifest.json" } } }),
    "--permissions",
    userPermissions(["quicksight:DescribeDataSource", "quicksight:PassDataSource", "quicksight:UpdateDataSource", "quicksight:DeleteDataSource"]),
  )) as { CreationStatus: string; Arn: string };
  expect(source.CreationStatus).toBe("CREATION_SUCCESSFUL");
  // Step 10. Correction: --import-mode is required.
  const columns = [
    { Name: "age_group", Type: "STRING" },
    { Name: "region", Type: "STRING" },
    { Name: "customer_count", Type: "INTEGER" },
    { Name: "avg_purchase_amount", Type: "DECIMAL" },
    { Name: "avg_engagement_score", Type: "DECIMAL" },
  ];
  const dataSet = (await qs(
    "create-data-set",
    "--data-set-id",
    "privacy-analytics-dataset-demo",
    "--name",
    "Privacy Analytics Dataset",
    "--import-mode",
    "SPICE",
    "--physical-table-map",
    JSON.stringify({ CleanRoomsResults: { S3Source: { DataSourceArn: source.Arn, InputColumns: columns, UploadSettings: { Format: "CSV", ContainsHeader: true, Delimiter: "," } } } }),
    "--permissions",
    userPermissions(["quicksight:DescribeDataSet", "quicksight:PassDataSet", "quicksight:UpdateDataSet", "quicksight:DeleteDataSet"]),
  )) as { Arn: string };
  const bar = (column: string) => ({
    BarChartVisual: {
      VisualId: "visual1",
      Title: { Visibility: "VISIBLE", FormatText: { PlainText: "Customer Segments by Demographics" } },
      Subtitle: { Visibility: "VISIBLE", FormatText: { PlainText: "Privacy-preserved cross-organizational insights" } },
      ChartConfiguration: {
        FieldWells: {
          BarChartAggregatedFieldWells: {
            Category: [{ CategoricalDimensionField: { FieldId: "age_group", Column: { DataSetIdentifier: "CleanRoomsResults", ColumnName: "age_group" } } }],
            Values: [
              { NumericalMeasureField: { FieldId: column, Column: { DataSetIdentifier: "CleanRoomsResults", ColumnName: column }, AggregationFunction: { SimpleNumericalAggregation: "SUM" } } },
            ],
          },
        },
      },
    },
  });
  const definition = (column: string) =>
    JSON.stringify({
      DataSetIdentifierDeclarations: [{ DataSetArn: dataSet.Arn, Identifier: "CleanRoomsResults" }],
      Sheets: [{ SheetId: "sheet1", Name: "Privacy Analytics", Visuals: [bar(column)] }],
    });
  const analysisPermissions = userPermissions(["quicksight:DescribeAnalysis", "quicksight:UpdateAnalysis", "quicksight:DeleteAnalysis", "quicksight:QueryAnalysis"]);
  await qs(
    "create-analysis",
    "--analysis-id",
    "privacy-analytics-demo",
    "--name",
    "Privacy-Preserving Analytics Dashboard",
    "--permissions",
    analysisPermissions,
    "--definition",
    definition("customer_count"),
  );
  // Correction: the recipe announces a dashboard but creates only an analysis; here it is published.
  await qs("create-dashboard", "--dashboard-id", "privacy-analytics-demo", "--name", "Privacy-Preserving Analytics Dashboard", "--definition", definition("customer_count"));
  // A visual naming a column the data set lacks fails, as QuickSight reports it: in the resource.
  await qs("create-analysis", "--analysis-id", "broken-demo", "--name", "Broken", "--definition", definition("no_such_column"));
  expect(await qs("describe-analysis", "--analysis-id", "broken-demo", "--query", "Analysis.[Status, Errors[0].Type]")).toEqual(["CREATION_FAILED", "COLUMN_NOT_FOUND"]);

  // Validation (the recipe's "Validate QuickSight Dashboard Access").
  expect(await qs("describe-data-source", "--data-source-id", "clean-rooms-results-demo", "--query", "DataSource.Status")).toBe("CREATION_SUCCESSFUL");
  expect(await qs("describe-data-set", "--data-set-id", "privacy-analytics-dataset-demo", "--query", "DataSet.OutputColumns[].Name")).toEqual(columns.map((c) => c.Name));
  expect(await qs("describe-analysis", "--analysis-id", "privacy-analytics-demo", "--query", "Analysis.[Status, Sheets[0].Name]")).toEqual(["CREATION_SUCCESSFUL", "Privacy Analytics"]);
  expect(await qs("describe-dashboard", "--dashboard-id", "privacy-analytics-demo", "--query", "Dashboard.Version.[VersionNumber, Status]")).toEqual([1, "CREATION_SUCCESSFUL"]);
  // Another account sees none of it.
  expect(await awsFails("b", "quicksight", "describe-data-source", "--aws-account-id", account, "--data-source-id", "clean-rooms-results-demo")).toContain("AccessDeniedException");

  // Cleanup.
  for (const args of [
    ["delete-dashboard", "--dashboard-id", "privacy-analytics-demo"],
    ["delete-analysis", "--analysis-id", "broken-demo", "--force-delete-without-recovery"],
    ["delete-analysis", "--analysis-id", "privacy-analytics-demo", "--force-delete-without-recovery"],
    ["delete-data-set", "--data-set-id", "privacy-analytics-dataset-demo"],
    ["delete-data-source", "--data-source-id", "clean-rooms-results-demo"],
  ]) {
    await qs(...args);
  }
  expect(await qs("list-analyses", "--query", "AnalysisSummaryList")).toEqual([]);
  expect(await awsFails("a", "quicksight", "describe-data-source", "--aws-account-id", account, "--data-source-id", "clean-rooms-results-demo")).toContain("ResourceNotFoundException");
}, 120_000);

it("lets the AWS CLI act for another organization through a role it trusts (a profile with role_arn and external_id)", async () => {
  const trust = {
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${(await cloud.credentials("org-a")).accountId}:root` },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": "recipe-external-id" } },
      },
    ],
  };
  const role = (await aws("b", "iam", "create-role", "--role-name", "RecipeConsoleAccess", "--assume-role-policy-document", JSON.stringify(trust))) as {
    Role: { Arn: string; AssumeRolePolicyDocument: unknown };
  };
  // The CLI decodes the URL-encoded document IAM returns.
  expect(role.Role.AssumeRolePolicyDocument).toEqual(trust);
  const { accessKeyId, secretAccessKey } = await cloud.credentials("org-a");
  fs.mkdirSync(path.join(workDir, ".aws"), { recursive: true });
  fs.writeFileSync(path.join(workDir, ".aws", "credentials"), `[console]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`);
  const profiles = (externalId: string) =>
    `[profile org-b]\nrole_arn = ${role.Role.Arn}\nsource_profile = console\nexternal_id = ${externalId}\nregion = us-east-1\n[profile console]\nregion = us-east-1\n`;
  const asProfile: Record<string, string | undefined> = { ...env.a, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_PROFILE: "org-b" };
  fs.writeFileSync(path.join(workDir, ".aws", "config"), profiles("recipe-external-id"));
  const { stdout } = await run("aws", ["sts", "get-caller-identity", "--output", "json"], { env: asProfile as NodeJS.ProcessEnv, cwd: workDir });
  expect(JSON.parse(stdout)).toMatchObject({ Account: (await cloud.credentials("org-b")).accountId, Arn: expect.stringMatching(/:assumed-role\/RecipeConsoleAccess\//) });
  fs.writeFileSync(path.join(workDir, ".aws", "config"), profiles("a-guessed-id"));
  const refused = await run("aws", ["sts", "get-caller-identity"], { env: asProfile as NodeJS.ProcessEnv, cwd: workDir }).then(
    () => "",
    (e: { stderr: string }) => e.stderr,
  );
  expect(refused).toMatch(/AccessDenied.*not authorized to perform: sts:AssumeRole/);
  fs.rmSync(path.join(workDir, ".aws"), { recursive: true });
});
