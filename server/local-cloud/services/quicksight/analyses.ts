import { z } from "zod";
import { route } from "../../protocols/rest-json";
import { accountId, arnOf, checkPermissions, epoch, invalid, listQuery, ownAccount, page, permissions, requireSubscription, resourceId, resourceName } from "./common";
import { definitionErrors, sheetsOf } from "./definitions";
import { deleteResource, getResource, insertResource, listResources, updateResource, type QuickSightResource } from "./store";

// Analyses and dashboards built from a `Definition` (data set declarations, sheets, visuals).
// A dashboard keeps every version; UpdateDashboard adds one and UpdateDashboardPublishedVersion
// chooses which readers see. Both are served by the console's dashboard page in local mode.

const definition = z
  .object({
    DataSetIdentifierDeclarations: z
      .array(z.object({ Identifier: z.string().min(1).max(2048), DataSetArn: z.string().min(1) }))
      .min(1)
      .max(50),
    Sheets: z
      .array(z.object({ SheetId: z.string().min(1).max(512), Name: z.string().max(2048).optional(), Visuals: z.array(z.record(z.string(), z.unknown())).max(50).optional() }).passthrough())
      .max(20)
      .optional(),
  })
  .passthrough();

const noTemplates = (sourceEntity: unknown) => {
  if (sourceEntity !== undefined) throw invalid("The local cloud builds analyses and dashboards from a Definition; SourceEntity (templates) is not supported.");
};

async function analysisBody(caller: Parameters<typeof arnOf>[0], account: string, id: string, name: string, def: z.output<typeof definition>, created: Date, verb: "CREATION" | "UPDATE") {
  const { errors, dataSetArns } = await definitionErrors(account, def);
  return {
    AnalysisId: id,
    Arn: arnOf(caller, account, "analysis", id),
    Name: name,
    Status: errors.length ? `${verb}_FAILED` : `${verb}_SUCCESSFUL`,
    Errors: errors,
    DataSetArns: dataSetArns,
    Sheets: sheetsOf(def),
    CreatedTime: epoch(created),
    LastUpdatedTime: epoch(new Date()),
    Definition: def,
  };
}

const withoutDefinition = (body: Record<string, unknown>) => Object.fromEntries(Object.entries(body).filter(([k]) => k !== "Definition"));

interface DashboardVersion {
  VersionNumber: number;
  Status: string;
  Errors: unknown[];
  Arn: string;
  DataSetArns: string[];
  Sheets: unknown[];
  Description?: string;
  CreatedTime: number;
  Definition: unknown;
}

const versionsOf = (row: QuickSightResource) => row.body.Versions as DashboardVersion[];

async function dashboardVersion(
  caller: Parameters<typeof arnOf>[0],
  account: string,
  id: string,
  number: number,
  def: z.output<typeof definition>,
  description: string | undefined,
): Promise<DashboardVersion> {
  const { errors, dataSetArns } = await definitionErrors(account, def);
  return {
    VersionNumber: number,
    Status: errors.length ? "CREATION_FAILED" : "CREATION_SUCCESSFUL",
    Errors: errors,
    Arn: `${arnOf(caller, account, "dashboard", id)}/version/${number}`,
    DataSetArns: dataSetArns,
    Sheets: sheetsOf(def),
    ...(description ? { Description: description } : {}),
    CreatedTime: epoch(new Date()),
    Definition: def,
  };
}

function dashboardView(row: QuickSightResource, versionNumber?: number) {
  const versions = versionsOf(row);
  const number = versionNumber ?? (row.body.PublishedVersionNumber as number);
  const version = versions.find((v) => v.VersionNumber === number);
  if (!version) throw invalid(`The dashboard ${row.resourceId} has no version ${number}.`);
  return { row, version };
}

const dashboardInput = {
  AwsAccountId: accountId,
  DashboardId: resourceId,
  Name: resourceName,
  Definition: definition.optional(),
  SourceEntity: z.unknown().optional(),
  VersionDescription: z.string().min(1).max(512).optional(),
};

export const analysisRoutes = [
  route(
    "CreateAnalysis",
    "POST",
    "/accounts/{AwsAccountId}/analyses/{AnalysisId}",
    202,
    z.object({ AwsAccountId: accountId, AnalysisId: resourceId, Name: resourceName, Definition: definition.optional(), SourceEntity: z.unknown().optional(), Permissions: permissions }).passthrough(),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "CreateAnalysis");
      await requireSubscription(account);
      noTemplates(input.SourceEntity);
      if (!input.Definition) throw invalid("Definition is required.");
      const body = await analysisBody(caller, account, input.AnalysisId, input.Name, input.Definition, new Date(), "CREATION");
      await insertResource({ accountId: account, kind: "analysis", resourceId: input.AnalysisId, name: input.Name, body, permissions: await checkPermissions(account, input.Permissions) });
      return { Arn: body.Arn, AnalysisId: input.AnalysisId, CreationStatus: body.Status, Status: 202 };
    },
  ),
  route("DescribeAnalysis", "GET", "/accounts/{AwsAccountId}/analyses/{AnalysisId}", 200, z.object({ AwsAccountId: accountId, AnalysisId: resourceId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DescribeAnalysis");
    return { Analysis: withoutDefinition((await getResource(account, "analysis", input.AnalysisId)).body), Status: 200 };
  }),
  route(
    "DescribeAnalysisDefinition",
    "GET",
    "/accounts/{AwsAccountId}/analyses/{AnalysisId}/definition",
    200,
    z.object({ AwsAccountId: accountId, AnalysisId: resourceId }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "DescribeAnalysisDefinition");
      const { body } = await getResource(account, "analysis", input.AnalysisId);
      return { AnalysisId: input.AnalysisId, Name: body.Name, Errors: body.Errors, ResourceStatus: body.Status, Definition: body.Definition, Status: 200 };
    },
  ),
  route(
    "UpdateAnalysis",
    "PUT",
    "/accounts/{AwsAccountId}/analyses/{AnalysisId}",
    202,
    z.object({ AwsAccountId: accountId, AnalysisId: resourceId, Name: resourceName, Definition: definition.optional(), SourceEntity: z.unknown().optional() }).passthrough(),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "UpdateAnalysis");
      const existing = await getResource(account, "analysis", input.AnalysisId);
      noTemplates(input.SourceEntity);
      if (!input.Definition) throw invalid("Definition is required.");
      const body = await analysisBody(caller, account, input.AnalysisId, input.Name, input.Definition, existing.createdAt, "UPDATE");
      await updateResource(account, "analysis", input.AnalysisId, { name: input.Name, body });
      return { Arn: body.Arn, AnalysisId: input.AnalysisId, UpdateStatus: body.Status, Status: 202 };
    },
  ),
  route(
    "DeleteAnalysis",
    "DELETE",
    "/accounts/{AwsAccountId}/analyses/{AnalysisId}",
    200,
    z.object({
      AwsAccountId: accountId,
      AnalysisId: resourceId,
      "recovery-window-in-days": z.coerce.number().int().min(7).max(30).optional(),
      "force-delete-without-recovery": z.enum(["true", "false"]).optional(),
    }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "DeleteAnalysis");
      if (input["force-delete-without-recovery"] === "true" && input["recovery-window-in-days"] !== undefined)
        throw invalid("Give either a recovery window or force-delete-without-recovery, not both.");
      // The local cloud keeps no recovery window: an analysis is gone at once, as with force-delete.
      const row = await deleteResource(account, "analysis", input.AnalysisId);
      return { Arn: row.body.Arn, AnalysisId: input.AnalysisId, DeletionTime: epoch(new Date()), Status: 200 };
    },
  ),
  route("ListAnalyses", "GET", "/accounts/{AwsAccountId}/analyses", 200, z.object({ AwsAccountId: accountId, ...listQuery }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "ListAnalyses");
    await requireSubscription(account);
    const { items, NextToken } = page(await listResources(account, "analysis"), (r) => r.resourceId, input);
    const summary = (b: Record<string, unknown>) => ({ Arn: b.Arn, AnalysisId: b.AnalysisId, Name: b.Name, Status: b.Status, CreatedTime: b.CreatedTime, LastUpdatedTime: b.LastUpdatedTime });
    return { AnalysisSummaryList: items.map((r) => summary(r.body)), ...(NextToken ? { NextToken } : {}), Status: 200 };
  }),
  route("CreateDashboard", "POST", "/accounts/{AwsAccountId}/dashboards/{DashboardId}", 202, z.object({ ...dashboardInput, Permissions: permissions }).passthrough(), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "CreateDashboard");
    await requireSubscription(account);
    noTemplates(input.SourceEntity);
    if (!input.Definition) throw invalid("Definition is required.");
    const version = await dashboardVersion(caller, account, input.DashboardId, 1, input.Definition, input.VersionDescription);
    const arn = arnOf(caller, account, "dashboard", input.DashboardId);
    const now = epoch(new Date());
    const body = { DashboardId: input.DashboardId, Arn: arn, Name: input.Name, Versions: [version], PublishedVersionNumber: 1, CreatedTime: now, LastPublishedTime: now, LastUpdatedTime: now };
    await insertResource({ accountId: account, kind: "dashboard", resourceId: input.DashboardId, name: input.Name, body, permissions: await checkPermissions(account, input.Permissions) });
    return { Arn: arn, VersionArn: version.Arn, DashboardId: input.DashboardId, CreationStatus: version.Status, Status: 202 };
  }),
  route(
    "DescribeDashboard",
    "GET",
    "/accounts/{AwsAccountId}/dashboards/{DashboardId}",
    200,
    z.object({ AwsAccountId: accountId, DashboardId: resourceId, "version-number": z.coerce.number().int().min(1).optional() }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "DescribeDashboard");
      const { row, version } = dashboardView(await getResource(account, "dashboard", input.DashboardId), input["version-number"]);
      const b = row.body;
      return {
        Dashboard: {
          DashboardId: b.DashboardId,
          Arn: b.Arn,
          Name: b.Name,
          Version: withoutDefinition(version as unknown as Record<string, unknown>),
          CreatedTime: b.CreatedTime,
          LastPublishedTime: b.LastPublishedTime,
          LastUpdatedTime: b.LastUpdatedTime,
        },
        Status: 200,
      };
    },
  ),
  route(
    "DescribeDashboardDefinition",
    "GET",
    "/accounts/{AwsAccountId}/dashboards/{DashboardId}/definition",
    200,
    z.object({ AwsAccountId: accountId, DashboardId: resourceId, "version-number": z.coerce.number().int().min(1).optional() }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "DescribeDashboardDefinition");
      const { row, version } = dashboardView(await getResource(account, "dashboard", input.DashboardId), input["version-number"]);
      return { DashboardId: input.DashboardId, Name: row.body.Name, Errors: version.Errors, ResourceStatus: version.Status, Definition: version.Definition, Status: 200 };
    },
  ),
  route("UpdateDashboard", "PUT", "/accounts/{AwsAccountId}/dashboards/{DashboardId}", 202, z.object(dashboardInput).passthrough(), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "UpdateDashboard");
    const existing = await getResource(account, "dashboard", input.DashboardId);
    noTemplates(input.SourceEntity);
    if (!input.Definition) throw invalid("Definition is required.");
    const versions = versionsOf(existing);
    const version = await dashboardVersion(caller, account, input.DashboardId, versions.length + 1, input.Definition, input.VersionDescription);
    await updateResource(account, "dashboard", input.DashboardId, {
      name: input.Name,
      version: version.VersionNumber,
      body: { ...existing.body, Name: input.Name, Versions: [...versions, version], LastUpdatedTime: epoch(new Date()) },
    });
    return { Arn: existing.body.Arn, VersionArn: version.Arn, DashboardId: input.DashboardId, CreationStatus: version.Status, Status: 202 };
  }),
  route(
    "UpdateDashboardPublishedVersion",
    "PUT",
    "/accounts/{AwsAccountId}/dashboards/{DashboardId}/versions/{VersionNumber}",
    200,
    z.object({ AwsAccountId: accountId, DashboardId: resourceId, VersionNumber: z.coerce.number().int().min(1) }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "UpdateDashboardPublishedVersion");
      const existing = await getResource(account, "dashboard", input.DashboardId);
      const { version } = dashboardView(existing, input.VersionNumber);
      if (version.Status !== "CREATION_SUCCESSFUL") throw invalid(`Version ${input.VersionNumber} of the dashboard failed and cannot be published: ${JSON.stringify(version.Errors)}`);
      const now = epoch(new Date());
      await updateResource(account, "dashboard", input.DashboardId, { body: { ...existing.body, PublishedVersionNumber: input.VersionNumber, LastPublishedTime: now, LastUpdatedTime: now } });
      return { DashboardId: input.DashboardId, DashboardArn: existing.body.Arn, Status: 200 };
    },
  ),
  route("DeleteDashboard", "DELETE", "/accounts/{AwsAccountId}/dashboards/{DashboardId}", 200, z.object({ AwsAccountId: accountId, DashboardId: resourceId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DeleteDashboard");
    const row = await deleteResource(account, "dashboard", input.DashboardId);
    return { Arn: row.body.Arn, DashboardId: input.DashboardId, Status: 200 };
  }),
  route("ListDashboards", "GET", "/accounts/{AwsAccountId}/dashboards", 200, z.object({ AwsAccountId: accountId, ...listQuery }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "ListDashboards");
    await requireSubscription(account);
    const { items, NextToken } = page(await listResources(account, "dashboard"), (r) => r.resourceId, input);
    const summary = (b: Record<string, unknown>) => ({
      Arn: b.Arn,
      DashboardId: b.DashboardId,
      Name: b.Name,
      PublishedVersionNumber: b.PublishedVersionNumber,
      CreatedTime: b.CreatedTime,
      LastPublishedTime: b.LastPublishedTime,
      LastUpdatedTime: b.LastUpdatedTime,
    });
    return { DashboardSummaryList: items.map((r) => summary(r.body)), ...(NextToken ? { NextToken } : {}), Status: 200 };
  }),
  route(
    "DescribeDashboardPermissions",
    "GET",
    "/accounts/{AwsAccountId}/dashboards/{DashboardId}/permissions",
    200,
    z.object({ AwsAccountId: accountId, DashboardId: resourceId }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "DescribeDashboardPermissions");
      const row = await getResource(account, "dashboard", input.DashboardId);
      return { DashboardId: input.DashboardId, DashboardArn: row.body.Arn, Permissions: row.permissions, Status: 200 };
    },
  ),
  route(
    "UpdateDashboardPermissions",
    "PUT",
    "/accounts/{AwsAccountId}/dashboards/{DashboardId}/permissions",
    200,
    z.object({ AwsAccountId: accountId, DashboardId: resourceId, GrantPermissions: permissions, RevokePermissions: permissions }).passthrough(),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "UpdateDashboardPermissions");
      const row = await getResource(account, "dashboard", input.DashboardId);
      const grants = await checkPermissions(account, input.GrantPermissions);
      const next = new Map(row.permissions.map((p) => [p.Principal, new Set(p.Actions)]));
      for (const { Principal, Actions } of grants) for (const action of Actions) (next.get(Principal) ?? next.set(Principal, new Set()).get(Principal)!).add(action);
      for (const { Principal, Actions } of input.RevokePermissions ?? []) for (const action of Actions) next.get(Principal)?.delete(action);
      const permissionsNow = [...next].filter(([, actions]) => actions.size).map(([Principal, actions]) => ({ Principal, Actions: [...actions].sort() }));
      await updateResource(account, "dashboard", input.DashboardId, { permissions: permissionsNow });
      return { DashboardId: input.DashboardId, DashboardArn: row.body.Arn, Permissions: permissionsNow, Status: 200 };
    },
  ),
];
