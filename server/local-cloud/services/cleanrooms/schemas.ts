import { z } from "zod";
import { CloudError } from "../../errors";
import { route } from "../../protocols/rest-json";
import { glueColumnsOf } from "./configured-tables";
import { visibleCollaboration, type Collaboration } from "./access";
import type { Association } from "./associations";
import { identifier, notFound, pageInput, paginate, timestamps } from "./common";
import { policyMember } from "@/lib/analysis-rules";
import type { AnalysisRuleType, AssociationBody, ConfiguredTableBody } from "./model";
import { findResource, listResources, type Resource } from "./resources";

// Schemas: how every member sees the tables associated with a collaboration: names, allowed
// columns and their types, and the rules. Never the Glue table, the bucket or the objects.

interface SchemaSource {
  association: Association;
  table: Resource<ConfiguredTableBody> | undefined;
}

async function sourcesOf(collaboration: Collaboration): Promise<SchemaSource[]> {
  const associations = await listResources<AssociationBody>({ kind: "association", collaborationId: collaboration.id });
  return Promise.all(associations.map(async (association) => ({ association, table: await findResource<ConfiguredTableBody>("configuredTable", association.body.configuredTableId) })));
}

async function sourceNamed(collaboration: Collaboration, name: string): Promise<SchemaSource> {
  const found = (await sourcesOf(collaboration)).find((s) => s.association.name === name);
  if (!found) throw notFound("SCHEMA", name, "schema");
  return found;
}

function ruleTypes(source: SchemaSource): AnalysisRuleType[] {
  return Object.keys(source.table?.body.analysisRules ?? {}) as AnalysisRuleType[];
}

function summary(source: SchemaSource, collaboration: Collaboration) {
  return {
    name: source.association.name,
    type: "TABLE",
    creatorAccountId: source.association.accountId,
    ...timestamps(source.association),
    collaborationId: collaboration.id,
    collaborationArn: collaboration.arn,
    analysisRuleTypes: ruleTypes(source),
    analysisMethod: source.table?.body.analysisMethod ?? "DIRECT_QUERY",
    resourceArn: source.association.arn,
    ...(source.table?.body.selectedAnalysisMethods ? { selectedAnalysisMethods: source.table.body.selectedAnalysisMethods } : {}),
  };
}

async function schemaShape(source: SchemaSource, collaboration: Collaboration) {
  const glueColumns = source.table ? await glueColumnsOf(source.table) : new Map<string, { type: string; partitionKey: boolean }>();
  const allowed = (source.table?.body.allowedColumns ?? []).map((name) => ({ name, ...(glueColumns.get(name.toLowerCase()) ?? { type: "string", partitionKey: false }) }));
  const types = ruleTypes(source);
  return {
    ...summary(source, collaboration),
    // As on AWS, allowed partition keys are listed apart from the other columns.
    columns: allowed.filter((c) => !c.partitionKey).map(({ name, type }) => ({ name, type })),
    partitionKeys: allowed.filter((c) => c.partitionKey).map(({ name, type }) => ({ name, type })),
    description: source.association.body.description ?? "",
    schemaStatusDetails: [
      types.length
        ? { status: "READY", analysisRuleType: types[0], analysisType: "DIRECT_ANALYSIS", reasons: [] }
        : { status: "NOT_READY", analysisType: "DIRECT_ANALYSIS", reasons: [{ code: "ANALYSIS_RULE_MISSING", message: "The configured table has no analysis rule." }] },
    ],
  };
}

function analysisRuleShape(source: SchemaSource, collaboration: Collaboration, type: AnalysisRuleType) {
  const rule = source.table?.body.analysisRules[type];
  if (!rule) throw notFound("ANALYSIS_RULE", `${source.association.name}/${type}`, "analysis rule");
  const collaborationRule = source.association.body.analysisRules[type];
  const member = policyMember[type];
  const base = rule.policy.v1[member] ?? {};
  // A collaboration rule's policy (an association's) has its own shape, keyed the same way.
  const extra = collaborationRule ? (((collaborationRule.policy.v1 ?? {}) as Record<string, object | undefined>)[member] ?? {}) : {};
  return {
    collaborationId: collaboration.id,
    type,
    name: source.association.name,
    createTime: new Date(rule.createTime).getTime() / 1000,
    updateTime: new Date(rule.updateTime).getTime() / 1000,
    policy: rule.policy,
    ...(collaborationRule ? { collaborationPolicy: collaborationRule.policy } : {}),
    consolidatedPolicy: { v1: { [member]: { ...base, ...extra } } },
  };
}

const errorOf = (error: unknown) => (error instanceof CloudError ? { code: error.code, message: error.message } : { code: "InternalServerException", message: "Unexpected error." });
const ruleType = z.enum(["AGGREGATION", "LIST", "CUSTOM", "ID_MAPPING_TABLE"]);

export const schemaRoutes = [
  route(
    "ListSchemas",
    "GET",
    "/collaborations/{collaborationIdentifier}/schemas",
    200,
    z.looseObject({ collaborationIdentifier: identifier, schemaType: z.enum(["TABLE", "ID_MAPPING_TABLE"]).optional(), ...pageInput }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const sources = input.schemaType === "ID_MAPPING_TABLE" ? [] : await sourcesOf(collaboration);
      const { page, nextToken } = paginate(
        sources.map((s) => ({ ...s, id: s.association.name })),
        input.nextToken,
        input.maxResults,
      );
      return { schemaSummaries: page.map((s) => summary(s, collaboration)), ...(nextToken ? { nextToken } : {}) };
    },
  ),

  route(
    "GetSchema",
    "GET",
    "/collaborations/{collaborationIdentifier}/schemas/{name}",
    200,
    z.looseObject({ collaborationIdentifier: identifier, name: z.string().min(1).max(128) }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      return { schema: await schemaShape(await sourceNamed(collaboration, input.name), collaboration) };
    },
  ),

  route(
    "BatchGetSchema",
    "POST",
    "/collaborations/{collaborationIdentifier}/batch-schema",
    200,
    z.looseObject({ collaborationIdentifier: identifier, names: z.array(z.string().min(1).max(128)).min(1).max(25) }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const schemas = [];
      const errors = [];
      for (const name of input.names) {
        try {
          schemas.push(await schemaShape(await sourceNamed(collaboration, name), collaboration));
        } catch (error) {
          errors.push({ name, ...errorOf(error) });
        }
      }
      return { schemas, errors };
    },
  ),

  route(
    "GetSchemaAnalysisRule",
    "GET",
    "/collaborations/{collaborationIdentifier}/schemas/{name}/analysisRule/{type}",
    200,
    z.looseObject({ collaborationIdentifier: identifier, name: z.string().min(1).max(128), type: ruleType }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      if (input.type === "ID_MAPPING_TABLE") throw notFound("ANALYSIS_RULE", `${input.name}/${input.type}`, "analysis rule");
      return { analysisRule: analysisRuleShape(await sourceNamed(collaboration, input.name), collaboration, input.type) };
    },
  ),

  route(
    "BatchGetSchemaAnalysisRule",
    "POST",
    "/collaborations/{collaborationIdentifier}/batch-schema-analysis-rule",
    200,
    z.looseObject({
      collaborationIdentifier: identifier,
      schemaAnalysisRuleRequests: z
        .array(z.object({ name: z.string().min(1).max(128), type: ruleType }))
        .min(1)
        .max(25),
    }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const analysisRules = [];
      const errors = [];
      for (const request of input.schemaAnalysisRuleRequests) {
        try {
          if (request.type === "ID_MAPPING_TABLE") throw notFound("ANALYSIS_RULE", `${request.name}/${request.type}`, "analysis rule");
          analysisRules.push(analysisRuleShape(await sourceNamed(collaboration, request.name), collaboration, request.type));
        } catch (error) {
          errors.push({ name: request.name, type: request.type, ...errorOf(error) });
        }
      }
      return { analysisRules, errors };
    },
  ),
];
