import "server-only";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import {
  CreateAccountSubscriptionCommand,
  CreateAnalysisCommand,
  CreateDashboardCommand,
  CreateDataSetCommand,
  CreateDataSourceCommand,
  DescribeAccountSettingsCommand,
  DescribeDashboardCommand,
  DescribeDataSourceCommand,
  ListUsersCommand,
  UpdateAnalysisCommand,
  UpdateDashboardCommand,
  UpdateDashboardPermissionsCommand,
  UpdateDashboardPublishedVersionCommand,
  UpdateDataSetCommand,
  UpdateDataSourceCommand,
  type DashboardVersionDefinition,
} from "@aws-sdk/client-quicksight";
import { columnKinds, type ChartSpec } from "@/lib/chart-choice";
import { AppError } from "@/lib/errors";
import { definitionFor, inputColumnsOf } from "@/lib/quicksight-visuals";
import type { Actor } from "@/server/auth/actor";
import { awsClientsFor, type AwsClients } from "@/server/aws/clients";
import { awsCall, isAwsError } from "@/server/aws/errors";
import { saveSettings } from "@/server/collaborations/settings";
import { cleanroomsMode } from "@/server/config";
import { getQuery, readResult, recordOf } from "@/server/queries/queries";

// "Publish to QuickSight": a successful query's result becomes, in the organization's own
// QuickSight, a data source over the result file (through a manifest beside it), a data set, an
// analysis and a dashboard whose one visual is the chart the analyst chose, shared with the
// organization's QuickSight users. One set per collaboration, updated by each publish, so the
// collaboration's dashboard link stays the same. In local mode the dashboard is the local cloud's,
// drawn by the console's own dashboard page.

const readerActions = ["quicksight:DescribeDashboard", "quicksight:ListDashboardVersions", "quicksight:QueryDashboard"];

/** Runs an update, or the create when the resource does not exist yet. */
async function upsert<T>(update: () => Promise<T>, create: () => Promise<T>): Promise<T> {
  try {
    return await update();
  } catch (error) {
    if (!isAwsError(error, "ResourceNotFoundException")) throw error;
    return create();
  }
}

async function ensureSubscription(clients: AwsClients, actor: Actor): Promise<void> {
  try {
    await clients.quicksight.send(new DescribeAccountSettingsCommand({ AwsAccountId: clients.accountId }));
  } catch (error) {
    if (!isAwsError(error, "ResourceNotFoundException")) throw error;
    // Subscribing on AWS costs money every month: only an admin in QuickSight decides that.
    if (cleanroomsMode() === "aws") throw new AppError("invalid", "Your organization has no QuickSight subscription. An admin subscribes in the QuickSight console first; then publish again.");
    await clients.quicksight.send(
      new CreateAccountSubscriptionCommand({
        AwsAccountId: clients.accountId,
        AccountName: actor.orgSlug,
        NotificationEmail: actor.email,
        Edition: "STANDARD",
        AuthenticationMethod: "IAM_AND_QUICKSIGHT",
      }),
    );
  }
}

export function dashboardLink(region: string, dashboardId: string): string {
  return cleanroomsMode() === "aws" ? `https://${region}.quicksight.aws.amazon.com/sn/dashboards/${dashboardId}` : `/dashboards/${dashboardId}`;
}

export async function publishToQuickSight(actor: Actor, input: { queryId: string; chart: ChartSpec; title: string }): Promise<{ url: string; dashboardId: string }> {
  const record = await recordOf(actor, input.queryId);
  if (!record) throw new AppError("not_found", "There is no such query.");
  const state = await getQuery(actor, input.queryId);
  const location = state?.status === "SUCCESS" ? /^s3:\/\/([^/]+)\/(.+)$/.exec(state.resultLocation ?? "") : null;
  if (!location) throw new AppError("invalid", "Only a successful query's result can be published.");
  if (!location[2]!.endsWith(".csv")) throw new AppError("invalid", "QuickSight reads CSV results: run the query with the CSV result format to publish it.");
  const result = (await readResult(actor, input.queryId))!;
  if (result.truncated) throw new AppError("invalid", "The result has more than 100,000 rows; publish a smaller result (aggregate further or add a LIMIT).");
  const kinds = columnKinds(result.columns, result.rows);
  const clients = await awsClientsFor(actor);
  const account = clients.accountId;
  const id = `cleanrooms-${record.collaborationId}`;
  const arn = (type: string) => `arn:aws:quicksight:${clients.region}:${account}:${type}/${id}`;
  const [bucket, key] = [location[1]!, location[2]!];

  return awsCall("Publishing to QuickSight", async () => {
    await ensureSubscription(clients, actor);
    // The manifest QuickSight needs to read an S3 file, beside the result.
    const manifestKey = key.replace(/[^/]*$/, `quicksight-manifest-${input.queryId}.json`);
    const manifest = {
      fileLocations: [{ URIs: [`https://${bucket}.s3.amazonaws.com/${encodeURI(key)}`] }],
      globalUploadSettings: { format: "CSV", delimiter: ",", containsHeader: "true", textqualifier: '"' },
    };
    await clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key: manifestKey, Body: JSON.stringify(manifest), ContentType: "application/json" }));

    const sourceParameters = { S3Parameters: { ManifestFileLocation: { Bucket: bucket, Key: manifestKey } } };
    const name = input.title.slice(0, 128);
    await upsert(
      () => clients.quicksight.send(new UpdateDataSourceCommand({ AwsAccountId: account, DataSourceId: id, Name: name, DataSourceParameters: sourceParameters })),
      () => clients.quicksight.send(new CreateDataSourceCommand({ AwsAccountId: account, DataSourceId: id, Name: name, Type: "S3", DataSourceParameters: sourceParameters })),
    );
    const { DataSource } = await clients.quicksight.send(new DescribeDataSourceCommand({ AwsAccountId: account, DataSourceId: id }));
    if (DataSource?.Status?.endsWith("FAILED")) throw new AppError("invalid", `QuickSight could not read the result: ${DataSource.ErrorInfo?.Message ?? DataSource.Status}`);

    const table = {
      result: { S3Source: { DataSourceArn: arn("datasource"), InputColumns: inputColumnsOf(kinds, result.rows), UploadSettings: { Format: "CSV" as const, ContainsHeader: true, Delimiter: "," } } },
    };
    await upsert(
      () => clients.quicksight.send(new UpdateDataSetCommand({ AwsAccountId: account, DataSetId: id, Name: name, PhysicalTableMap: table, ImportMode: "SPICE" })),
      () => clients.quicksight.send(new CreateDataSetCommand({ AwsAccountId: account, DataSetId: id, Name: name, PhysicalTableMap: table, ImportMode: "SPICE" })),
    );

    const definition = definitionFor(input.chart, kinds, arn("dataset"), input.title) as unknown as DashboardVersionDefinition;
    await upsert(
      () => clients.quicksight.send(new UpdateAnalysisCommand({ AwsAccountId: account, AnalysisId: id, Name: name, Definition: definition })),
      () => clients.quicksight.send(new CreateAnalysisCommand({ AwsAccountId: account, AnalysisId: id, Name: name, Definition: definition })),
    );
    const published = await upsert(
      async () => {
        const update = await clients.quicksight.send(
          new UpdateDashboardCommand({ AwsAccountId: account, DashboardId: id, Name: name, Definition: definition, VersionDescription: `Query ${input.queryId}` }),
        );
        const version = Number(/\/version\/(\d+)$/.exec(update.VersionArn ?? "")?.[1]);
        if (version) await clients.quicksight.send(new UpdateDashboardPublishedVersionCommand({ AwsAccountId: account, DashboardId: id, VersionNumber: version }));
        return update;
      },
      () => clients.quicksight.send(new CreateDashboardCommand({ AwsAccountId: account, DashboardId: id, Name: name, Definition: definition, VersionDescription: `Query ${input.queryId}` })),
    );
    const { Dashboard } = await clients.quicksight.send(new DescribeDashboardCommand({ AwsAccountId: account, DashboardId: id }));
    if (Dashboard?.Version?.Status?.endsWith("FAILED")) throw new AppError("invalid", `QuickSight refused the dashboard: ${(Dashboard.Version.Errors ?? []).map((e) => e.Message).join(" ")}`);

    // Shared with the organization's QuickSight users, to read.
    const { UserList = [] } = await clients.quicksight.send(new ListUsersCommand({ AwsAccountId: account, Namespace: "default" }));
    const grants = UserList.filter((u) => u.Arn).map((u) => ({ Principal: u.Arn!, Actions: readerActions }));
    if (grants.length) await clients.quicksight.send(new UpdateDashboardPermissionsCommand({ AwsAccountId: account, DashboardId: id, GrantPermissions: grants }));

    const url = dashboardLink(clients.region, published.DashboardId ?? id);
    await saveSettings(actor.orgId, record.collaborationId, { dashboardUrl: url });
    return { url, dashboardId: id };
  });
}
