import "server-only";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { DescribeDashboardCommand, DescribeDashboardDefinitionCommand, DescribeDataSetCommand, DescribeDataSourceCommand } from "@aws-sdk/client-quicksight";
import { AppError } from "@/lib/errors";
import { drawVisual, planVisuals, type DrawnVisual, type QuickSightDefinition } from "@/lib/quicksight-visuals";
import type { Actor } from "@/server/auth/actor";
import { awsClientsFor, type AwsClients } from "@/server/aws/clients";
import { awsCall, isAwsError } from "@/server/aws/errors";
import { parseCsvRows } from "@/server/datasets/csv";

// A dashboard of the organization's QuickSight, drawn by the console: its published definition,
// each data set's rows read through its S3 data source's manifest (from the organization's own
// buckets, with its own credentials), and each visual aggregated as QuickSight would.

const MAX_ROWS = 100_000;

/** The bucket and key a manifest's URI names (s3://, or the https forms QuickSight accepts). */
export function s3LocationOf(uri: string): { bucket: string; key: string } | null {
  const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (s3) return { bucket: s3[1]!, key: s3[2]! };
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  const virtual = /^(.+)\.s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.exec(url.hostname);
  const path = decodeURIComponent(url.pathname.slice(1));
  if (virtual) return path ? { bucket: virtual[1]!, key: path } : null;
  if (/^s3(?:[.-][a-z0-9-]+)?\.amazonaws\.com$/.test(url.hostname)) {
    const slash = path.indexOf("/");
    return slash > 0 ? { bucket: path.slice(0, slash), key: path.slice(slash + 1) } : null;
  }
  return null;
}

async function objectText(clients: AwsClients, location: { bucket: string; key: string }): Promise<string> {
  const object = await clients.s3.send(new GetObjectCommand({ Bucket: location.bucket, Key: location.key }));
  return object.Body!.transformToString("utf8");
}

/** A data set's columns and rows, read as its S3 source's manifest says. */
async function dataSetRows(clients: AwsClients, dataSetArn: string): Promise<{ columns: string[]; rows: string[][] }> {
  const dataSetId = /:dataset\/([\w-]+)$/.exec(dataSetArn)?.[1] ?? "";
  const { DataSet } = await clients.quicksight.send(new DescribeDataSetCommand({ AwsAccountId: clients.accountId, DataSetId: dataSetId }));
  const source = Object.values(DataSet?.PhysicalTableMap ?? {})[0]?.S3Source;
  if (!source) throw new AppError("invalid", `The data set ${dataSetId} does not read an S3 file, which the console cannot draw.`);
  const dataSourceId = /:datasource\/([\w-]+)$/.exec(source.DataSourceArn ?? "")?.[1] ?? "";
  const { DataSource } = await clients.quicksight.send(new DescribeDataSourceCommand({ AwsAccountId: clients.accountId, DataSourceId: dataSourceId }));
  const manifestAt = DataSource?.DataSourceParameters?.S3Parameters?.ManifestFileLocation;
  if (!manifestAt?.Bucket || !manifestAt.Key) throw new AppError("invalid", `The data source ${dataSourceId} has no S3 manifest.`);
  const manifest = JSON.parse(await objectText(clients, { bucket: manifestAt.Bucket, key: manifestAt.Key })) as { fileLocations?: { URIs?: string[]; URIPrefixes?: string[] }[] };
  const header = source.UploadSettings?.ContainsHeader !== false;
  const columns = (source.InputColumns ?? []).map((c) => c.Name!);
  const rows: string[][] = [];
  for (const uri of (manifest.fileLocations ?? []).flatMap((f) => f.URIs ?? [])) {
    const location = s3LocationOf(uri);
    if (!location) continue;
    const parsed = parseCsvRows(await objectText(clients, location), MAX_ROWS + 1, false);
    rows.push(...(header ? parsed.slice(1) : parsed));
    if (rows.length > MAX_ROWS) break;
  }
  return { columns, rows: rows.slice(0, MAX_ROWS) };
}

export interface DrawnDashboard {
  name: string;
  version: number;
  visuals: (DrawnVisual | { id: string; title: string; unsupported: string })[];
}

export async function readDashboard(actor: Actor, dashboardId: string): Promise<DrawnDashboard | null> {
  if (!/^[\w-]{1,512}$/.test(dashboardId)) return null;
  const clients = await awsClientsFor(actor);
  return awsCall("Reading the dashboard", async () => {
    let definition: QuickSightDefinition;
    let name: string;
    let version: number;
    try {
      const { Dashboard } = await clients.quicksight.send(new DescribeDashboardCommand({ AwsAccountId: clients.accountId, DashboardId: dashboardId }));
      const described = await clients.quicksight.send(new DescribeDashboardDefinitionCommand({ AwsAccountId: clients.accountId, DashboardId: dashboardId }));
      definition = described.Definition as unknown as QuickSightDefinition;
      name = Dashboard?.Name ?? dashboardId;
      version = Dashboard?.Version?.VersionNumber ?? 1;
    } catch (error) {
      if (isAwsError(error, "ResourceNotFoundException")) return null;
      throw error;
    }
    const data = new Map<string, { columns: string[]; rows: string[][] }>();
    for (const declaration of definition.DataSetIdentifierDeclarations) data.set(declaration.Identifier, await dataSetRows(clients, declaration.DataSetArn));
    const visuals = planVisuals(definition).map((plan) => {
      if (!("spec" in plan)) return plan;
      const identifier = (plan.unaggregated ?? [...plan.dimensions, ...plan.measures.map((m) => m.column)])[0]?.DataSetIdentifier ?? definition.DataSetIdentifierDeclarations[0]?.Identifier ?? "";
      const rows = data.get(identifier);
      if (!rows) return { id: plan.id, title: plan.title, unsupported: `a visual of the undeclared data set ${identifier}` };
      return drawVisual(plan, rows.columns, rows.rows);
    });
    return { name, version, visuals };
  });
}
