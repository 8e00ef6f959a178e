import fs from "node:fs/promises";
import { z } from "zod";
import { route } from "../../protocols/rest-json";
import { blobPath } from "../s3/blobs";
import { findBucket, findObject } from "../s3/store";
import { accountId, arnOf, checkPermissions, epoch, invalid, listQuery, ownAccount, page, permissions, requireSubscription, resourceId, resourceName } from "./common";
import { deleteResource, findResource, getResource, insertResource, listResources, updateResource, type QuickSightResource } from "./store";

// Data sources (S3 manifests) and the data sets read through them. A data source is checked as
// QuickSight checks it when created or updated: its manifest must be readable by the account and
// name files; when it is not, the source is kept with CREATION_FAILED and the reason.

const manifestLocation = z.object({ Bucket: z.string().min(1).max(1024), Key: z.string().min(1).max(1024) });
const dataSourceParameters = z.object({ S3Parameters: z.object({ ManifestFileLocation: manifestLocation, RoleArn: z.string().optional() }) }).passthrough();

/** Why the account cannot read this manifest, or null when it can. */
async function manifestProblem(account: string, location: { Bucket: string; Key: string }): Promise<string | null> {
  const bucket = await findBucket(location.Bucket);
  if (!bucket || bucket.accountId !== account) return `QuickSight cannot access s3://${location.Bucket}: the bucket does not exist in this account.`;
  const object = await findObject(location.Bucket, location.Key);
  if (!object) return `The manifest s3://${location.Bucket}/${location.Key} does not exist.`;
  try {
    const manifest = JSON.parse(await fs.readFile(blobPath(object.blob), "utf8")) as { fileLocations?: unknown };
    if (!Array.isArray(manifest.fileLocations) || manifest.fileLocations.length === 0) return "The manifest file has no fileLocations.";
  } catch {
    return "The manifest file is not valid JSON.";
  }
  return null;
}

async function dataSourceBody(
  caller: Parameters<typeof arnOf>[0],
  account: string,
  id: string,
  input: { Name: string; Type: string; DataSourceParameters: z.output<typeof dataSourceParameters> },
  created: Date,
  verb: "CREATION" | "UPDATE",
) {
  const problem = await manifestProblem(account, input.DataSourceParameters.S3Parameters.ManifestFileLocation);
  return {
    Arn: arnOf(caller, account, "datasource", id),
    DataSourceId: id,
    Name: input.Name,
    Type: input.Type,
    Status: problem ? `${verb}_FAILED` : `${verb}_SUCCESSFUL`,
    CreatedTime: epoch(created),
    LastUpdatedTime: epoch(new Date()),
    DataSourceParameters: input.DataSourceParameters,
    ...(problem ? { ErrorInfo: { Type: "ACCESS_DENIED", Message: problem } } : {}),
  };
}

const columnTypes = ["STRING", "INTEGER", "DECIMAL", "DATETIME", "BIT", "BOOLEAN", "JSON"] as const;
const physicalTable = z
  .object({
    S3Source: z.object({
      DataSourceArn: z.string().min(1),
      InputColumns: z
        .array(z.object({ Name: z.string().min(1).max(128), Type: z.enum(columnTypes), SubType: z.string().optional() }))
        .min(1)
        .max(2048),
      UploadSettings: z
        .object({
          Format: z.enum(["CSV", "TSV", "CLF", "ELF", "XLSX", "JSON"]).optional(),
          StartFromRow: z.number().int().min(1).optional(),
          ContainsHeader: z.boolean().optional(),
          TextQualifier: z.string().optional(),
          Delimiter: z.string().optional(),
        })
        .optional(),
    }),
  })
  .passthrough();
const dataSetInput = {
  AwsAccountId: accountId,
  Name: resourceName,
  PhysicalTableMap: z.record(z.string().min(1).max(64), physicalTable),
  LogicalTableMap: z.record(z.string(), z.unknown()).optional(),
  ImportMode: z.enum(["SPICE", "DIRECT_QUERY"]),
};

async function dataSetBody(
  caller: Parameters<typeof arnOf>[0],
  account: string,
  id: string,
  input: { Name: string; PhysicalTableMap: Record<string, z.output<typeof physicalTable>>; LogicalTableMap?: Record<string, unknown>; ImportMode: string },
  created: Date,
) {
  const tables = Object.values(input.PhysicalTableMap);
  if (tables.length !== 1) throw invalid("The local cloud's data sets read one physical table.");
  const source = tables[0]!.S3Source;
  const dataSourceId = /^arn:aws:quicksight:[a-z0-9-]+:(\d{12}):datasource\/([\w-]+)$/.exec(source.DataSourceArn);
  const dataSource = dataSourceId && dataSourceId[1] === account ? await findResource(account, "dataSource", dataSourceId[2]!) : undefined;
  if (!dataSource) throw invalid(`The data source ${source.DataSourceArn} does not exist in this account.`);
  if (String(dataSource.body.Status).endsWith("FAILED"))
    throw invalid(`The data source ${dataSource.resourceId} is not usable: ${(dataSource.body.ErrorInfo as { Message?: string } | undefined)?.Message ?? "it failed"}.`);
  return {
    Arn: arnOf(caller, account, "dataset", id),
    DataSetId: id,
    Name: input.Name,
    CreatedTime: epoch(created),
    LastUpdatedTime: epoch(new Date()),
    PhysicalTableMap: input.PhysicalTableMap,
    ...(input.LogicalTableMap ? { LogicalTableMap: input.LogicalTableMap } : {}),
    OutputColumns: source.InputColumns.map((c) => ({ Name: c.Name, Type: c.Type === "BIT" ? "INTEGER" : c.Type === "BOOLEAN" ? "STRING" : c.Type })),
    ImportMode: input.ImportMode,
    ConsumedSpiceCapacityInBytes: 0,
  };
}

const summary = (row: QuickSightResource, keys: string[]) => Object.fromEntries(keys.filter((k) => row.body[k] !== undefined).map((k) => [k, row.body[k]]));

export const dataRoutes = [
  route(
    "CreateDataSource",
    "POST",
    "/accounts/{AwsAccountId}/data-sources",
    202,
    z
      .object({ AwsAccountId: accountId, DataSourceId: resourceId, Name: resourceName, Type: z.string().min(1), DataSourceParameters: dataSourceParameters.optional(), Permissions: permissions })
      .passthrough(),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "CreateDataSource");
      await requireSubscription(account);
      if (input.Type !== "S3" || !input.DataSourceParameters) throw invalid("The local cloud's data sources are S3 manifests: Type S3 with DataSourceParameters.S3Parameters.ManifestFileLocation.");
      const body = await dataSourceBody(caller, account, input.DataSourceId, { Name: input.Name, Type: input.Type, DataSourceParameters: input.DataSourceParameters }, new Date(), "CREATION");
      await insertResource({ accountId: account, kind: "dataSource", resourceId: input.DataSourceId, name: input.Name, body, permissions: await checkPermissions(account, input.Permissions) });
      return { Arn: body.Arn, DataSourceId: input.DataSourceId, CreationStatus: body.Status, Status: 202 };
    },
  ),
  route("DescribeDataSource", "GET", "/accounts/{AwsAccountId}/data-sources/{DataSourceId}", 200, z.object({ AwsAccountId: accountId, DataSourceId: resourceId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DescribeDataSource");
    return { DataSource: (await getResource(account, "dataSource", input.DataSourceId)).body, Status: 200 };
  }),
  route(
    "UpdateDataSource",
    "PUT",
    "/accounts/{AwsAccountId}/data-sources/{DataSourceId}",
    202,
    z.object({ AwsAccountId: accountId, DataSourceId: resourceId, Name: resourceName, DataSourceParameters: dataSourceParameters.optional() }).passthrough(),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "UpdateDataSource");
      const existing = await getResource(account, "dataSource", input.DataSourceId);
      const parameters = input.DataSourceParameters ?? (existing.body.DataSourceParameters as z.output<typeof dataSourceParameters>);
      const body = await dataSourceBody(caller, account, input.DataSourceId, { Name: input.Name, Type: String(existing.body.Type), DataSourceParameters: parameters }, existing.createdAt, "UPDATE");
      await updateResource(account, "dataSource", input.DataSourceId, { name: input.Name, body });
      return { Arn: body.Arn, DataSourceId: input.DataSourceId, UpdateStatus: body.Status, Status: 202 };
    },
  ),
  route("DeleteDataSource", "DELETE", "/accounts/{AwsAccountId}/data-sources/{DataSourceId}", 200, z.object({ AwsAccountId: accountId, DataSourceId: resourceId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DeleteDataSource");
    const row = await deleteResource(account, "dataSource", input.DataSourceId);
    return { Arn: row.body.Arn, DataSourceId: input.DataSourceId, Status: 200 };
  }),
  route("ListDataSources", "GET", "/accounts/{AwsAccountId}/data-sources", 200, z.object({ AwsAccountId: accountId, ...listQuery }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "ListDataSources");
    await requireSubscription(account);
    const { items, NextToken } = page(await listResources(account, "dataSource"), (r) => r.resourceId, input);
    return { DataSources: items.map((r) => r.body), ...(NextToken ? { NextToken } : {}), Status: 200 };
  }),
  route("CreateDataSet", "POST", "/accounts/{AwsAccountId}/data-sets", 201, z.object({ ...dataSetInput, DataSetId: resourceId, Permissions: permissions }).passthrough(), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "CreateDataSet");
    await requireSubscription(account);
    const body = await dataSetBody(caller, account, input.DataSetId, input, new Date());
    await insertResource({ accountId: account, kind: "dataSet", resourceId: input.DataSetId, name: input.Name, body, permissions: await checkPermissions(account, input.Permissions) });
    return { Arn: body.Arn, DataSetId: input.DataSetId, ...(input.ImportMode === "SPICE" ? { IngestionArn: `${body.Arn}/ingestion/initial`, IngestionId: "initial" } : {}), Status: 201 };
  }),
  route("DescribeDataSet", "GET", "/accounts/{AwsAccountId}/data-sets/{DataSetId}", 200, z.object({ AwsAccountId: accountId, DataSetId: resourceId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DescribeDataSet");
    return { DataSet: (await getResource(account, "dataSet", input.DataSetId)).body, Status: 200 };
  }),
  route("UpdateDataSet", "PUT", "/accounts/{AwsAccountId}/data-sets/{DataSetId}", 200, z.object({ ...dataSetInput, DataSetId: resourceId }).passthrough(), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "UpdateDataSet");
    const existing = await getResource(account, "dataSet", input.DataSetId);
    const body = await dataSetBody(caller, account, input.DataSetId, input, existing.createdAt);
    await updateResource(account, "dataSet", input.DataSetId, { name: input.Name, body });
    return { Arn: body.Arn, DataSetId: input.DataSetId, Status: 200 };
  }),
  route("DeleteDataSet", "DELETE", "/accounts/{AwsAccountId}/data-sets/{DataSetId}", 200, z.object({ AwsAccountId: accountId, DataSetId: resourceId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DeleteDataSet");
    const row = await deleteResource(account, "dataSet", input.DataSetId);
    return { Arn: row.body.Arn, DataSetId: input.DataSetId, Status: 200 };
  }),
  route("ListDataSets", "GET", "/accounts/{AwsAccountId}/data-sets", 200, z.object({ AwsAccountId: accountId, ...listQuery }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "ListDataSets");
    await requireSubscription(account);
    const { items, NextToken } = page(await listResources(account, "dataSet"), (r) => r.resourceId, input);
    return { DataSetSummaries: items.map((r) => summary(r, ["Arn", "DataSetId", "Name", "CreatedTime", "LastUpdatedTime", "ImportMode"])), ...(NextToken ? { NextToken } : {}), Status: 200 };
  }),
];
