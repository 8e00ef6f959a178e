import { z } from "zod";
import { route } from "../../protocols/rest-json";
import type { SignedRequest } from "../../sigv4/verify";
import { findDatabase, findTable, findTables, type Catalog, type GlueTableRow } from "../glue/store";
import { arn, columnName, conflict, description, identifier, invalid, notFound, pageInput, pageResources, resolveId, resourceName, tags, timestamps } from "./common";
import type { AnalysisRuleType, AssociationBody, CollaborationBody, ConfiguredTableBody } from "./model";
import { configuredTableRulePolicy } from "@/lib/analysis-rules";
import { checkConfiguredTableRule, columnsNamedBy } from "./rules";
import { deleteResources, findResource, inRegion, insertResource, listResources, newId, updateResource, type Resource } from "./resources";

export type ConfiguredTable = Resource<ConfiguredTableBody>;

const ruleType = z.enum(["AGGREGATION", "LIST", "CUSTOM"]);
const tableReference = z.looseObject({
  glue: z.looseObject({ tableName: z.string().min(1).max(128), databaseName: z.string().min(1).max(128), region: z.string().optional() }).optional(),
  snowflake: z.unknown().optional(),
  athena: z.unknown().optional(),
});

/** Only the owner reads or changes a configured table; to anyone else it does not exist. */
export async function ownConfiguredTable(identifierValue: string, caller: SignedRequest): Promise<ConfiguredTable> {
  const table = await findResource<ConfiguredTableBody>("configuredTable", resolveId(identifierValue));
  if (!table || table.accountId !== caller.accountId || !inRegion(table, caller.region)) throw notFound("CONFIGURED_TABLE", identifierValue, "configured table");
  return table;
}

/**
 * The Data Catalog a configured table's Glue table lives in: its owner's, in the region the
 * reference names or else the configured table's own region.
 */
export function glueCatalogOf(table: { accountId: string; body: Pick<ConfiguredTableBody, "region" | "tableReference"> }): Catalog {
  return { accountId: table.accountId, region: table.body.tableReference.glue.region ?? table.body.region };
}

/**
 * The columns of a configured table's Glue table, by lower-case name, with their Glue types and
 * whether each is a partition key (a partitioned table's columns are its files' columns and its
 * partition keys). Schemas and the query catalog both read types from here, so a member sees
 * the types the engine checks joins with.
 */
export async function glueColumnsOf(table: Resource<ConfiguredTableBody>): Promise<Map<string, { type: string; partitionKey: boolean }>> {
  return columnsOfGlueTable(await glueTableOf(table));
}

/** The Glue table a configured table refers to, if it still exists. */
export function glueTableOf(table: Resource<ConfiguredTableBody>) {
  const reference = table.body.tableReference.glue;
  return findTable(glueCatalogOf(table), reference.databaseName.toLowerCase(), reference.tableName.toLowerCase());
}

/** The Glue tables of several configured tables, in one query, by configured table id. */
export async function glueTablesOf(tables: Resource<ConfiguredTableBody>[]): Promise<Map<string, GlueTableRow | undefined>> {
  const wanted = tables.map((t) => ({
    id: t.id,
    catalog: glueCatalogOf(t),
    databaseName: t.body.tableReference.glue.databaseName.toLowerCase(),
    name: t.body.tableReference.glue.tableName.toLowerCase(),
  }));
  const rows = await findTables(wanted);
  const found = (w: (typeof wanted)[number]) => rows.find((r) => r.accountId === w.catalog.accountId && r.region === w.catalog.region && r.databaseName === w.databaseName && r.name === w.name);
  return new Map(wanted.map((w) => [w.id, found(w)]));
}

export function columnsOfGlueTable(glue: { input: unknown } | undefined): Map<string, { type: string; partitionKey: boolean }> {
  const input = glue?.input as { StorageDescriptor?: { Columns?: GlueColumn[] }; PartitionKeys?: GlueColumn[] } | undefined;
  const columns = new Map<string, { type: string; partitionKey: boolean }>();
  for (const c of input?.StorageDescriptor?.Columns ?? []) columns.set(c.Name.toLowerCase(), { type: c.Type ?? "string", partitionKey: false });
  for (const c of input?.PartitionKeys ?? []) columns.set(c.Name.toLowerCase(), { type: c.Type ?? "string", partitionKey: true });
  return columns;
}
type GlueColumn = { Name: string; Type?: string };

/** The Glue table behind a reference, with its column names, from the caller's own catalog. */
export async function glueColumns(caller: SignedRequest, reference: z.output<typeof tableReference>) {
  if (!reference.glue) throw invalid("tableReference", "The local cloud supports Glue table references only (tableReference.glue).");
  const { databaseName, tableName, region } = reference.glue;
  const catalog = { accountId: caller.accountId, region: region ?? caller.region };
  if (!(await findDatabase(catalog, databaseName.toLowerCase())))
    throw invalid("tableReference.glue.databaseName", `Glue database "${databaseName}" does not exist in your account in ${catalog.region}.`);
  const table = await findTable(catalog, databaseName.toLowerCase(), tableName.toLowerCase());
  if (!table) throw invalid("tableReference.glue.tableName", `Glue table "${tableName}" does not exist in database "${databaseName}".`);
  const descriptor = table.input as { StorageDescriptor?: { Columns?: { Name: string; Type?: string }[] }; PartitionKeys?: { Name: string; Type?: string }[] };
  return [...(descriptor.StorageDescriptor?.Columns ?? []), ...(descriptor.PartitionKeys ?? [])];
}

function checkAllowedColumns(allowedColumns: string[], available: { Name: string }[], reference: string) {
  const names = new Set(available.map((c) => c.Name.toLowerCase()));
  for (const column of allowedColumns) {
    if (!names.has(column)) throw invalid("allowedColumns", `Column "${column}" is not a column of Glue table ${reference}.`);
  }
  if (new Set(allowedColumns).size !== allowedColumns.length) throw invalid("allowedColumns", "Each column may appear only once.");
}

export function configuredTableShape(table: ConfiguredTable) {
  const { body } = table;
  return {
    id: table.id,
    arn: table.arn,
    name: table.name,
    ...(body.description ? { description: body.description } : {}),
    tableReference: body.tableReference,
    ...timestamps(table),
    analysisRuleTypes: Object.keys(body.analysisRules),
    analysisMethod: body.analysisMethod,
    allowedColumns: body.allowedColumns,
    ...(body.selectedAnalysisMethods ? { selectedAnalysisMethods: body.selectedAnalysisMethods } : {}),
  };
}

function ruleShape(table: ConfiguredTable, type: AnalysisRuleType) {
  const rule = table.body.analysisRules[type];
  if (!rule) throw notFound("ANALYSIS_RULE", `${table.id}/${type}`, "analysis rule");
  return {
    configuredTableId: table.id,
    configuredTableArn: table.arn,
    policy: rule.policy,
    type,
    createTime: new Date(rule.createTime).getTime() / 1000,
    updateTime: new Date(rule.updateTime).getTime() / 1000,
  };
}

const analysisMethod = z.enum(["DIRECT_QUERY", "DIRECT_JOB", "MULTIPLE"]);
const tableId = { configuredTableIdentifier: identifier };

export const configuredTableRoutes = [
  route(
    "CreateConfiguredTable",
    "POST",
    "/configuredTables",
    200,
    z.looseObject({
      name: resourceName,
      description: description.optional(),
      tableReference,
      allowedColumns: z.array(columnName).min(1).max(100),
      analysisMethod,
      selectedAnalysisMethods: z.array(z.enum(["DIRECT_QUERY", "DIRECT_JOB"])).optional(),
      tags,
    }),
    async ({ input, caller }) => {
      const columns = await glueColumns(caller, input.tableReference);
      checkAllowedColumns(input.allowedColumns, columns, `${input.tableReference.glue!.databaseName}.${input.tableReference.glue!.tableName}`);
      const id = newId();
      const body: ConfiguredTableBody = {
        region: caller.region,
        description: input.description,
        tableReference: {
          glue: {
            databaseName: input.tableReference.glue!.databaseName,
            tableName: input.tableReference.glue!.tableName,
            ...(input.tableReference.glue!.region ? { region: input.tableReference.glue!.region } : {}),
          },
        },
        allowedColumns: input.allowedColumns,
        analysisMethod: input.analysisMethod,
        selectedAnalysisMethods: input.selectedAnalysisMethods,
        analysisRules: {},
      };
      const table = await insertResource({
        id,
        kind: "configuredTable",
        accountId: caller.accountId,
        collaborationId: null,
        membershipId: null,
        arn: arn(caller, caller.accountId, `configuredtable/${id}`),
        name: input.name,
        body,
        tags: input.tags,
      });
      return { configuredTable: configuredTableShape(table) };
    },
  ),

  route("GetConfiguredTable", "GET", "/configuredTables/{configuredTableIdentifier}", 200, z.looseObject(tableId), async ({ input, caller }) => ({
    configuredTable: configuredTableShape(await ownConfiguredTable(input.configuredTableIdentifier, caller)),
  })),

  route("ListConfiguredTables", "GET", "/configuredTables", 200, z.looseObject(pageInput), async ({ input, caller }) => {
    const { page, nextToken } = await pageResources<ConfiguredTableBody>({ kind: "configuredTable", accountId: caller.accountId, region: caller.region }, input.nextToken, input.maxResults);
    return {
      configuredTableSummaries: page.map((t) => {
        const { id, arn: tableArn, name, createTime, updateTime, analysisRuleTypes, analysisMethod: method, selectedAnalysisMethods } = configuredTableShape(t);
        return { id, arn: tableArn, name, createTime, updateTime, analysisRuleTypes, analysisMethod: method, ...(selectedAnalysisMethods ? { selectedAnalysisMethods } : {}) };
      }),
      ...(nextToken ? { nextToken } : {}),
    };
  }),

  route(
    "UpdateConfiguredTable",
    "PATCH",
    "/configuredTables/{configuredTableIdentifier}",
    200,
    z.looseObject({
      ...tableId,
      name: resourceName.optional(),
      description: description.optional(),
      tableReference: tableReference.optional(),
      allowedColumns: z.array(columnName).min(1).max(100).optional(),
      analysisMethod: analysisMethod.optional(),
      selectedAnalysisMethods: z.array(z.enum(["DIRECT_QUERY", "DIRECT_JOB"])).optional(),
    }),
    async ({ input, caller }) => {
      const table = await ownConfiguredTable(input.configuredTableIdentifier, caller);
      const glue = input.tableReference || input.allowedColumns ? await glueColumns(caller, input.tableReference ?? table.body.tableReference) : null;
      const updated = await updateResource<ConfiguredTableBody>(table.id, (table) => {
        const reference = input.tableReference ?? table.body.tableReference;
        const allowedColumns = input.allowedColumns ?? table.body.allowedColumns;
        if (glue) {
          checkAllowedColumns(allowedColumns, glue, `${reference.glue!.databaseName}.${reference.glue!.tableName}`);
          for (const [type, rule] of Object.entries(table.body.analysisRules)) {
            const orphan = columnsNamedBy(rule.policy).find((c) => !allowedColumns.includes(c));
            if (orphan) throw invalid("allowedColumns", `The ${type} analysis rule uses column "${orphan}"; update the rule before removing the column.`);
          }
        }
        const body: ConfiguredTableBody = {
          ...table.body,
          ...(input.description !== undefined ? { description: input.description } : {}),
          tableReference: reference as ConfiguredTableBody["tableReference"],
          allowedColumns,
          ...(input.analysisMethod ? { analysisMethod: input.analysisMethod } : {}),
          ...(input.selectedAnalysisMethods ? { selectedAnalysisMethods: input.selectedAnalysisMethods } : {}),
        };
        return { body, ...(input.name ? { name: input.name } : {}) };
      });
      return { configuredTable: configuredTableShape(updated) };
    },
  ),

  route("DeleteConfiguredTable", "DELETE", "/configuredTables/{configuredTableIdentifier}", 204, z.looseObject(tableId), async ({ input, caller }) => {
    const table = await ownConfiguredTable(input.configuredTableIdentifier, caller);
    const associations = await listResources<AssociationBody>({ kind: "association", accountId: caller.accountId });
    if (associations.some((a) => a.body.configuredTableId === table.id)) {
      throw conflict("SUBRESOURCES_EXIST", "The configured table is associated with a collaboration; delete the association first.", table.id, "CONFIGURED_TABLE");
    }
    await deleteResources([table.id]);
    return {};
  }),

  route(
    "CreateConfiguredTableAnalysisRule",
    "POST",
    "/configuredTables/{configuredTableIdentifier}/analysisRule",
    200,
    z.looseObject({ ...tableId, analysisRuleType: ruleType, analysisRulePolicy: configuredTableRulePolicy }),
    async ({ input, caller }) => {
      const owned = await ownConfiguredTable(input.configuredTableIdentifier, caller);
      // Read outside the table's row lock (the embedded store has one connection); each query checks again.
      await refuseProtectionByReceiver(owned, input.analysisRulePolicy);
      const updated = await updateResource<ConfiguredTableBody>(owned.id, (table) => {
        const existing = Object.keys(table.body.analysisRules);
        if (existing.length) {
          throw conflict("ALREADY_EXISTS", `Configured table "${table.name}" already has a ${existing[0]} analysis rule; a configured table has one analysis rule.`, table.id, "CONFIGURED_TABLE");
        }
        const policy = checkConfiguredTableRule(input.analysisRuleType, input.analysisRulePolicy, table.body.allowedColumns, table.name);
        const now = new Date().toISOString();
        return { body: { ...table.body, analysisRules: { [input.analysisRuleType]: { policy, createTime: now, updateTime: now } } } };
      });
      return { analysisRule: ruleShape(updated, input.analysisRuleType) };
    },
  ),

  route(
    "GetConfiguredTableAnalysisRule",
    "GET",
    "/configuredTables/{configuredTableIdentifier}/analysisRule/{analysisRuleType}",
    200,
    z.looseObject({ ...tableId, analysisRuleType: ruleType }),
    async ({ input, caller }) => ({
      analysisRule: ruleShape(await ownConfiguredTable(input.configuredTableIdentifier, caller), input.analysisRuleType),
    }),
  ),

  route(
    "UpdateConfiguredTableAnalysisRule",
    "PATCH",
    "/configuredTables/{configuredTableIdentifier}/analysisRule/{analysisRuleType}",
    200,
    z.looseObject({ ...tableId, analysisRuleType: ruleType, analysisRulePolicy: configuredTableRulePolicy }),
    async ({ input, caller }) => {
      const owned = await ownConfiguredTable(input.configuredTableIdentifier, caller);
      // Read outside the table's row lock (the embedded store has one connection); each query checks again.
      await refuseProtectionByReceiver(owned, input.analysisRulePolicy);
      const updated = await updateResource<ConfiguredTableBody>(owned.id, (table) => {
        const current = table.body.analysisRules[input.analysisRuleType];
        if (!current) throw notFound("ANALYSIS_RULE", `${table.id}/${input.analysisRuleType}`, "analysis rule");
        const policy = checkConfiguredTableRule(input.analysisRuleType, input.analysisRulePolicy, table.body.allowedColumns, table.name);
        return { body: { ...table.body, analysisRules: { ...table.body.analysisRules, [input.analysisRuleType]: { policy, createTime: current.createTime, updateTime: new Date().toISOString() } } } };
      });
      return { analysisRule: ruleShape(updated, input.analysisRuleType) };
    },
  ),

  route(
    "DeleteConfiguredTableAnalysisRule",
    "DELETE",
    "/configuredTables/{configuredTableIdentifier}/analysisRule/{analysisRuleType}",
    204,
    z.looseObject({ ...tableId, analysisRuleType: ruleType }),
    async ({ input, caller }) => {
      const owned = await ownConfiguredTable(input.configuredTableIdentifier, caller);
      await updateResource<ConfiguredTableBody>(owned.id, (table) => {
        if (!table.body.analysisRules[input.analysisRuleType]) throw notFound("ANALYSIS_RULE", `${table.id}/${input.analysisRuleType}`, "analysis rule");
        const rules = { ...table.body.analysisRules };
        delete rules[input.analysisRuleType];
        return { body: { ...table.body, analysisRules: rules } };
      });
      return {};
    },
  ),
];

/** Whether the configured table's custom rule protects it with differential privacy (names a user identifier). */
export function usesDifferentialPrivacy(table: Resource<ConfiguredTableBody>): boolean {
  return !!table.body.analysisRules.CUSTOM?.policy.v1.custom?.differentialPrivacy;
}

/**
 * Differential privacy protects a member's data from those who receive results, so a member who
 * can receive them may not protect its tables with it. Checked wherever the two could meet: the
 * association, every create and update of the rule, the budget's template, and each query.
 */
export function receivesResults(collaboration: Resource<CollaborationBody> | undefined, accountId: string): boolean {
  return !!collaboration?.body.members.find((m) => m.accountId === accountId)?.abilities.includes("CAN_RECEIVE_RESULTS");
}

/** Refuses a differentially private rule on a table associated with a collaboration where its owner receives results. */
async function refuseProtectionByReceiver(table: ConfiguredTable, policy: { v1: { custom?: { differentialPrivacy?: unknown } } }): Promise<void> {
  if (!policy.v1.custom?.differentialPrivacy) return;
  const associations = await listResources<AssociationBody>({ kind: "association", accountId: table.accountId });
  for (const association of associations.filter((a) => a.body.configuredTableId === table.id)) {
    const collaboration = await findResource<CollaborationBody>("collaboration", association.collaborationId!);
    if (receivesResults(collaboration, table.accountId)) {
      throw invalid(
        "analysisRulePolicy.v1.custom.differentialPrivacy",
        `Your organization can receive results in collaboration ${association.collaborationId}, where this table is associated as "${association.name}", so it cannot protect the table with differential privacy.`,
      );
    }
  }
}
