import { z } from "zod";
import { referencedTables } from "@/server/engine/sql/bind";
import { parseSql, SqlSyntaxError } from "@/server/engine/sql/parse";
import { toDuckDbParameters } from "@/server/engine/sql/parameters";
import { route } from "../../protocols/rest-json";
import { ownMembership, visibleCollaboration, type Collaboration } from "./access";
import { accessDenied, arn, conflict, description, identifier, invalid, notFound, pageInput, pageResources, resolveId, tags, timestamps } from "./common";
import type { AnalysisTemplateBody, CollaborationBody } from "./model";
import { deleteResources, findByArn, findResource, insertResource, listResources, newId, updateResource, type Resource } from "./resources";

type Template = Resource<AnalysisTemplateBody>;

const templateName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9_](([a-zA-Z0-9_ ]+-)*([a-zA-Z0-9_ ]+))?$/);
const parameterTypes = [
  "SMALLINT",
  "INTEGER",
  "BIGINT",
  "DECIMAL",
  "REAL",
  "DOUBLE_PRECISION",
  "BOOLEAN",
  "CHAR",
  "VARCHAR",
  "DATE",
  "TIMESTAMP",
  "TIMESTAMPTZ",
  "TIME",
  "TIMETZ",
  "VARBYTE",
  "BINARY",
  "BYTE",
  "CHARACTER",
  "DOUBLE",
  "FLOAT",
  "INT",
  "LONG",
  "NUMERIC",
  "SHORT",
  "STRING",
  "TIMESTAMP_LTZ",
  "TIMESTAMP_NTZ",
  "TINYINT",
] as const;
const analysisParameter = z.object({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[0-9a-zA-Z_]+$/),
  type: z.enum(parameterTypes),
  defaultValue: z.string().max(250).optional(),
});

function templateShape(template: Template, collaboration: Resource<CollaborationBody> | undefined) {
  const { body } = template;
  return {
    id: template.id,
    arn: template.arn,
    collaborationId: template.collaborationId,
    collaborationArn: collaboration?.arn ?? `arn:aws:cleanrooms:${body.region}:${collaboration?.accountId ?? template.accountId}:collaboration/${template.collaborationId}`,
    membershipId: template.membershipId,
    membershipArn: `arn:aws:cleanrooms:${body.region}:${template.accountId}:membership/${template.membershipId}`,
    ...(body.description ? { description: body.description } : {}),
    name: template.name,
    ...timestamps(template),
    schema: body.schema,
    format: body.format,
    source: body.source,
    analysisParameters: body.analysisParameters,
    validations: [],
  };
}

function collaborationView(template: Template, collaboration: Collaboration) {
  const { membershipId: _membershipId, membershipArn: _membershipArn, ...rest } = templateShape(template, collaboration);
  void _membershipId;
  void _membershipArn;
  return { ...rest, creatorAccountId: template.accountId };
}

/** Reads the template's SQL with DuckDB: the tables it references and the parameters it uses. */
async function analyse(text: string, declared: { name: string }[]) {
  const { sql, parameters } = toDuckDbParameters(text);
  let tables: string[];
  try {
    tables = referencedTables(await parseSql(sql));
  } catch (error) {
    if (error instanceof SqlSyntaxError) throw invalid("source.text", `The SQL does not parse: ${error.message}`, "INVALID_CONFIGURATION");
    throw error;
  }
  const names = new Set(declared.map((p) => p.name));
  const undeclared = parameters.find((p) => !names.has(p));
  if (undeclared) throw invalid("analysisParameters", `The SQL uses parameter :${undeclared}, which analysisParameters does not declare.`);
  if (new Set(declared.map((p) => p.name)).size !== declared.length) throw invalid("analysisParameters", "Each parameter may be declared only once.");
  return tables;
}

async function ownTemplate(membershipIdentifier: string, templateIdentifier: string, caller: Parameters<typeof ownMembership>[1]) {
  const membership = await ownMembership(membershipIdentifier, caller);
  const template = await findResource<AnalysisTemplateBody>("analysisTemplate", resolveId(templateIdentifier));
  if (!template || template.membershipId !== membership.id) throw notFound("ANALYSIS_TEMPLATE", templateIdentifier, "analysis template");
  return { membership, template };
}

export const analysisTemplateRoutes = [
  route(
    "CreateAnalysisTemplate",
    "POST",
    "/memberships/{membershipIdentifier}/analysistemplates",
    200,
    z.looseObject({
      membershipIdentifier: identifier,
      name: templateName,
      description: description.optional(),
      format: z.enum(["SQL", "PYSPARK_1_0"]),
      source: z.looseObject({ text: z.string().min(1).max(90000).optional(), artifacts: z.unknown().optional() }),
      sourceMetadata: z.unknown().optional(),
      analysisParameters: z.array(analysisParameter).max(10).optional(),
      schema: z.looseObject({ referencedTables: z.array(z.string()).optional() }).optional(),
      errorMessageConfiguration: z.unknown().optional(),
      tags,
    }),
    async ({ input, caller }) => {
      const membership = await ownMembership(input.membershipIdentifier, caller, { activeOnly: true });
      const collaboration = await findResource<CollaborationBody>("collaboration", membership.collaborationId!);
      const me = collaboration?.body.members.find((m) => m.accountId === caller.accountId);
      if (!me?.abilities.includes("CAN_QUERY")) throw accessDenied("Only a member who can query may create analysis templates.");
      if (input.format !== "SQL" || !input.source.text) throw invalid("format", "The local cloud runs SQL analysis templates (format SQL with source.text).");
      const siblings = await listResources({ kind: "analysisTemplate", collaborationId: membership.collaborationId! });
      if (siblings.some((t) => t.name === input.name && t.membershipId === membership.id)) throw conflict("ALREADY_EXISTS", `An analysis template named "${input.name}" already exists.`);
      const parameters = input.analysisParameters ?? [];
      const referenced = await analyse(input.source.text, parameters);
      const id = newId();
      const body: AnalysisTemplateBody = {
        region: caller.region,
        description: input.description,
        format: "SQL",
        source: { text: input.source.text },
        analysisParameters: parameters,
        schema: { referencedTables: referenced },
      };
      const template = await insertResource({
        id,
        kind: "analysisTemplate",
        accountId: caller.accountId,
        collaborationId: membership.collaborationId,
        membershipId: membership.id,
        arn: arn(caller, caller.accountId, `membership/${membership.id}/analysistemplate/${id}`),
        name: input.name,
        body,
        tags: input.tags,
      });
      return { analysisTemplate: templateShape(template, collaboration) };
    },
  ),

  route(
    "GetAnalysisTemplate",
    "GET",
    "/memberships/{membershipIdentifier}/analysistemplates/{analysisTemplateIdentifier}",
    200,
    z.looseObject({ membershipIdentifier: identifier, analysisTemplateIdentifier: identifier }),
    async ({ input, caller }) => {
      const { template } = await ownTemplate(input.membershipIdentifier, input.analysisTemplateIdentifier, caller);
      return { analysisTemplate: templateShape(template, await findResource<CollaborationBody>("collaboration", template.collaborationId!)) };
    },
  ),

  route("ListAnalysisTemplates", "GET", "/memberships/{membershipIdentifier}/analysistemplates", 200, z.looseObject({ membershipIdentifier: identifier, ...pageInput }), async ({ input, caller }) => {
    const membership = await ownMembership(input.membershipIdentifier, caller);
    const { page, nextToken } = await pageResources<AnalysisTemplateBody>({ kind: "analysisTemplate", membershipId: membership.id }, input.nextToken, input.maxResults);
    return {
      analysisTemplateSummaries: page.map((t) => ({
        arn: t.arn,
        ...timestamps(t),
        id: t.id,
        name: t.name,
        membershipArn: membership.arn,
        membershipId: membership.id,
        collaborationArn: `arn:aws:cleanrooms:${t.body.region}:${membership.accountId}:collaboration/${t.collaborationId}`,
        collaborationId: t.collaborationId,
        ...(t.body.description ? { description: t.body.description } : {}),
      })),
      ...(nextToken ? { nextToken } : {}),
    };
  }),

  route(
    "UpdateAnalysisTemplate",
    "PATCH",
    "/memberships/{membershipIdentifier}/analysistemplates/{analysisTemplateIdentifier}",
    200,
    z.looseObject({ membershipIdentifier: identifier, analysisTemplateIdentifier: identifier, description: description.optional() }),
    async ({ input, caller }) => {
      const { template } = await ownTemplate(input.membershipIdentifier, input.analysisTemplateIdentifier, caller);
      const updated = await updateResource<AnalysisTemplateBody>(template.id, (current) => ({
        body: { ...current.body, ...(input.description !== undefined ? { description: input.description } : {}) },
      }));
      return { analysisTemplate: templateShape(updated, await findResource<CollaborationBody>("collaboration", template.collaborationId!)) };
    },
  ),

  route(
    "DeleteAnalysisTemplate",
    "DELETE",
    "/memberships/{membershipIdentifier}/analysistemplates/{analysisTemplateIdentifier}",
    204,
    z.looseObject({ membershipIdentifier: identifier, analysisTemplateIdentifier: identifier }),
    async ({ input, caller }) => {
      const { template } = await ownTemplate(input.membershipIdentifier, input.analysisTemplateIdentifier, caller);
      await deleteResources([template.id]);
      return {};
    },
  ),

  route(
    "ListCollaborationAnalysisTemplates",
    "GET",
    "/collaborations/{collaborationIdentifier}/analysistemplates",
    200,
    z.looseObject({ collaborationIdentifier: identifier, ...pageInput }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const { page, nextToken } = await pageResources<AnalysisTemplateBody>({ kind: "analysisTemplate", collaborationId: collaboration.id }, input.nextToken, input.maxResults);
      return {
        collaborationAnalysisTemplateSummaries: page.map((t) => ({
          arn: t.arn,
          ...timestamps(t),
          id: t.id,
          name: t.name,
          collaborationArn: collaboration.arn,
          collaborationId: collaboration.id,
          creatorAccountId: t.accountId,
          ...(t.body.description ? { description: t.body.description } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  ),

  route(
    "GetCollaborationAnalysisTemplate",
    "GET",
    "/collaborations/{collaborationIdentifier}/analysistemplates/{analysisTemplateArn}",
    200,
    z.looseObject({ collaborationIdentifier: identifier, analysisTemplateArn: z.string().min(1).max(200) }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const template = (await findByArn(input.analysisTemplateArn)) as Template | undefined;
      if (!template || template.kind !== "analysisTemplate" || template.collaborationId !== collaboration.id) throw notFound("ANALYSIS_TEMPLATE", input.analysisTemplateArn, "analysis template");
      return { collaborationAnalysisTemplate: collaborationView(template, collaboration) };
    },
  ),

  route(
    "BatchGetCollaborationAnalysisTemplate",
    "POST",
    "/collaborations/{collaborationIdentifier}/batch-analysistemplates",
    200,
    z.looseObject({ collaborationIdentifier: identifier, analysisTemplateArns: z.array(z.string().min(1).max(200)).min(1).max(10) }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const collaborationAnalysisTemplates = [];
      const errors = [];
      for (const templateArn of input.analysisTemplateArns) {
        const template = (await findByArn(templateArn)) as Template | undefined;
        if (template && template.kind === "analysisTemplate" && template.collaborationId === collaboration.id) collaborationAnalysisTemplates.push(collaborationView(template, collaboration));
        else errors.push({ arn: templateArn, code: "ResourceNotFoundException", message: `No analysis template ${templateArn} in this collaboration.` });
      }
      return { collaborationAnalysisTemplates, errors };
    },
  ),
];
