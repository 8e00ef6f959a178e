// The IAM roles AWS needs for what the console does, with least-privilege policies for one
// organization's own buckets and Glue database, to copy into IAM: the Glue crawler that catalogues
// its datasets, the role Clean Rooms assumes to read its associated tables, and the role Clean
// Rooms assumes to write its query results. Each trust policy lets only the AWS service, acting
// for this account (aws:SourceAccount, and for Clean Rooms this account's memberships), assume it.

export type RoleUse = "crawler" | "tableAccess" | "results" | "console";

export interface OrganizationResources {
  accountId: string;
  region: string;
  /** The bucket its datasets are uploaded to, under datasets/. */
  dataBucket: string;
  /** The bucket its query results land in, under results/. */
  resultsBucket: string;
  /** The Glue database its datasets are catalogued in. */
  database: string;
}

export interface RolePolicies {
  use: RoleUse;
  /** The role name the console uses for it. */
  roleName: string;
  title: string;
  purpose: string;
  trustPolicy: PolicyDocument;
  permissionPolicy: PolicyDocument;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Record<string, unknown>[];
}

export const roleNames: Record<RoleUse, string> = {
  crawler: "cleanrooms-console-crawler",
  tableAccess: "cleanrooms-console-association",
  results: "cleanrooms-console-results",
  console: "cleanrooms-console-access",
};

const document = (...statements: Record<string, unknown>[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

function trust(service: string, account: string, sourceArn?: string): PolicyDocument {
  return document({
    Effect: "Allow",
    Principal: { Service: service },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": account }, ...(sourceArn ? { ArnLike: { "aws:SourceArn": sourceArn } } : {}) },
  });
}

export function rolePolicies(org: OrganizationResources): RolePolicies[] {
  const { accountId: account, region } = org;
  const glue = (resource: string) => `arn:aws:glue:${region}:${account}:${resource}`;
  const catalog = [glue("catalog"), glue(`database/${org.database}`), glue(`table/${org.database}/*`)];
  const datasets = `arn:aws:s3:::${org.dataBucket}/datasets/*`;
  const listDatasets = { Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: `arn:aws:s3:::${org.dataBucket}`, Condition: { StringLike: { "s3:prefix": ["datasets/*"] } } };
  const memberships = `arn:aws:cleanrooms:${region}:${account}:membership/*`;
  return [
    {
      use: "crawler",
      roleName: roleNames.crawler,
      title: "Glue crawler",
      purpose: "Lets AWS Glue read your uploaded datasets and record their tables in your Glue database.",
      trustPolicy: trust("glue.amazonaws.com", account),
      permissionPolicy: document(
        { Sid: "ReadDatasets", Effect: "Allow", Action: ["s3:GetObject"], Resource: datasets },
        { Sid: "ListDatasets", ...listDatasets },
        {
          Sid: "CatalogueDatasets",
          Effect: "Allow",
          Action: [
            "glue:GetDatabase",
            "glue:GetTable",
            "glue:GetTables",
            "glue:CreateTable",
            "glue:UpdateTable",
            "glue:GetPartitions",
            "glue:BatchCreatePartition",
            "glue:BatchGetPartition",
            "glue:UpdatePartition",
          ],
          Resource: catalog,
        },
        {
          Sid: "CrawlerLogs",
          Effect: "Allow",
          Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `arn:aws:logs:${region}:${account}:log-group:/aws-glue/crawlers*`,
        },
      ),
    },
    {
      use: "tableAccess",
      roleName: roleNames.tableAccess,
      title: "Clean Rooms table access",
      purpose: "Lets AWS Clean Rooms read the tables you add to a collaboration, only to run the queries their analysis rules allow.",
      trustPolicy: trust("cleanrooms.amazonaws.com", account, memberships),
      permissionPolicy: document(
        {
          Sid: "ReadCatalogue",
          Effect: "Allow",
          Action: ["glue:GetDatabase", "glue:GetDatabases", "glue:GetTable", "glue:GetTables", "glue:GetPartition", "glue:GetPartitions", "glue:BatchGetPartition", "glue:GetSchemaVersion"],
          Resource: catalog,
        },
        { Sid: "ReadDatasets", Effect: "Allow", Action: ["s3:GetObject"], Resource: datasets },
        { Sid: "ListDatasets", ...listDatasets },
      ),
    },
    {
      use: "results",
      roleName: roleNames.results,
      title: "Clean Rooms query results",
      purpose: "Lets AWS Clean Rooms write the results of your organization's queries to your results bucket, and nowhere else.",
      trustPolicy: trust("cleanrooms.amazonaws.com", account, memberships),
      permissionPolicy: document(
        { Sid: "WriteResults", Effect: "Allow", Action: ["s3:PutObject"], Resource: `arn:aws:s3:::${org.resultsBucket}/results/*` },
        { Sid: "FindResultsBucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket"], Resource: `arn:aws:s3:::${org.resultsBucket}` },
      ),
    },
  ];
}

/** Who may assume the console's role: the console's own account, with the organization's external id. */
export function consoleTrustPolicy(console: { accountId: string; externalId: string }): PolicyDocument {
  return document({
    Effect: "Allow",
    Principal: { AWS: `arn:aws:iam::${console.accountId}:root` },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": console.externalId } },
  });
}

/**
 * The role the console itself assumes in aws mode to act for the organization: trusted only by
 * the console's own account and only with the organization's external id, allowed what the
 * console's pages do with the organization's own buckets, database, crawlers and Clean Rooms
 * resources, and to hand the three service roles above to Glue and Clean Rooms.
 */
export function consoleAccessPolicies(org: OrganizationResources, console: { accountId: string; externalId: string }): RolePolicies {
  const { accountId: account, region } = org;
  const glue = (resource: string) => `arn:aws:glue:${region}:${account}:${resource}`;
  const role = (use: RoleUse) => `arn:aws:iam::${account}:role/${roleNames[use]}`;
  return {
    use: "console",
    roleName: roleNames.console,
    title: "Console access",
    purpose: "Lets the console act for your organization: upload datasets, catalogue them, and manage your Clean Rooms resources and queries.",
    trustPolicy: consoleTrustPolicy(console),
    permissionPolicy: document(
      {
        Sid: "Buckets",
        Effect: "Allow",
        Action: ["s3:CreateBucket", "s3:ListBucket", "s3:GetBucketLocation", "s3:PutBucketCors"],
        Resource: [`arn:aws:s3:::${org.dataBucket}`, `arn:aws:s3:::${org.resultsBucket}`],
      },
      {
        Sid: "Objects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        Resource: [`arn:aws:s3:::${org.dataBucket}/datasets/*`, `arn:aws:s3:::${org.resultsBucket}/results/*`],
      },
      {
        Sid: "Catalogue",
        Effect: "Allow",
        Action: [
          "glue:CreateDatabase",
          "glue:GetDatabase",
          "glue:GetTable",
          "glue:GetTables",
          "glue:DeleteTable",
          "glue:CreateCrawler",
          "glue:GetCrawler",
          "glue:UpdateCrawler",
          "glue:StartCrawler",
          "glue:DeleteCrawler",
        ],
        Resource: [glue("catalog"), glue(`database/${org.database}`), glue(`table/${org.database}/*`), glue("crawler/*")],
      },
      // Collaborations another account created have that account's ARN: members act on them too.
      { Sid: "CleanRooms", Effect: "Allow", Action: "cleanrooms:*", Resource: [`arn:aws:cleanrooms:${region}:${account}:*`, `arn:aws:cleanrooms:${region}:*:collaboration/*`] },
      {
        // "Publish to QuickSight": the collaboration's data source, data set, analysis and dashboard
        // (all named cleanrooms-<collaboration id>), and reading the account's subscription and users.
        Sid: "PublishDashboards",
        Effect: "Allow",
        Action: [
          "quicksight:CreateDataSource",
          "quicksight:UpdateDataSource",
          "quicksight:DescribeDataSource",
          "quicksight:PassDataSource",
          "quicksight:CreateDataSet",
          "quicksight:UpdateDataSet",
          "quicksight:DescribeDataSet",
          "quicksight:PassDataSet",
          "quicksight:CreateAnalysis",
          "quicksight:UpdateAnalysis",
          "quicksight:CreateDashboard",
          "quicksight:UpdateDashboard",
          "quicksight:UpdateDashboardPublishedVersion",
          "quicksight:DescribeDashboard",
          "quicksight:UpdateDashboardPermissions",
        ],
        Resource: [
          `arn:aws:quicksight:${region}:${account}:datasource/cleanrooms-*`,
          `arn:aws:quicksight:${region}:${account}:dataset/cleanrooms-*`,
          `arn:aws:quicksight:${region}:${account}:analysis/cleanrooms-*`,
          `arn:aws:quicksight:${region}:${account}:dashboard/cleanrooms-*`,
        ],
      },
      { Sid: "FindQuickSightUsers", Effect: "Allow", Action: ["quicksight:DescribeAccountSettings", "quicksight:ListUsers"], Resource: `arn:aws:quicksight:${region}:${account}:*` },
      {
        Sid: "HandServiceRoles",
        Effect: "Allow",
        Action: "iam:PassRole",
        Resource: [role("crawler"), role("tableAccess"), role("results")],
        Condition: { StringEquals: { "iam:PassedToService": ["glue.amazonaws.com", "cleanrooms.amazonaws.com"] } },
      },
    ),
  };
}

const roleArnPattern = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/((?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64})$/;

/** Why a role ARN cannot serve this organization, or null when it can: its form, and its account. */
export function roleArnProblem(arn: string, accountId: string): string | null {
  const match = roleArnPattern.exec(arn.trim());
  if (!match) return "Paste an IAM role ARN: arn:aws:iam::<12-digit account id>:role/<name>.";
  if (match[1] !== accountId) return `The role belongs to account ${match[1]}, not to your organization's account ${accountId}.`;
  return null;
}
