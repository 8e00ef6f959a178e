import "server-only";
import {
  BatchGetCollaborationAnalysisTemplateCommand,
  BatchGetSchemaAnalysisRuleCommand,
  BatchGetSchemaCommand,
  CreateCollaborationCommand,
  CreateConfiguredTableAssociationAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateMembershipCommand,
  DeleteCollaborationCommand,
  DeleteConfiguredTableAssociationCommand,
  DeleteMembershipCommand,
  GetCollaborationCommand,
  GetConfiguredTableCommand,
  ListCollaborationAnalysisTemplatesCommand,
  ListCollaborationsCommand,
  ListConfiguredTableAssociationsCommand,
  ListMembersCommand,
  ListMembershipsCommand,
  ListSchemasCommand,
  type ConfiguredTableAssociationAnalysisRulePolicy,
  type MemberAbility,
} from "@aws-sdk/client-cleanrooms";
import { analysisRuleTypes, configuredTableRulePolicy, policyMember, tableRuleOf } from "@/lib/analysis-rules";
import type { CollaborationDetail, CollaborationSummary, NewCollaboration } from "@/lib/collaborations";
import { AppError } from "@/lib/errors";
import { roleNames } from "@/lib/iam-policies";
import { awsClientsFor, type AwsClients, type AwsPrincipal } from "@/server/aws/clients";
import { awsCall, isAwsError } from "@/server/aws/errors";
import { ensureBucket } from "@/server/datasets/datasets";

// Collaborations as the organization's Clean Rooms member sees them: the ones it created or was
// invited to, their members, every member's associated tables with what each rule allows, and
// the analysis templates. All through the organization's own client, so what a member may see is
// what Clean Rooms lets that member see.

/** Where the API's field names land on the collaboration forms. */
export const collaborationFields = {
  name: "name",
  description: "description",
  creatorDisplayName: "creatorDisplayName",
  members: "members",
  creatorMemberAbilities: "creatorAbilities",
  queryLogStatus: "queryLogStatus",
  dataEncryptionMetadata: "encryption",
};
export const associationFields = { name: "name", description: "description", configuredTableIdentifier: "configuredTableId", roleArn: "name" };

/** The bucket each organization's query results land in, made on first join. */
export const resultsBucketOf = (accountId: string) => `cleanrooms-results-${accountId}`;

export async function listCollaborations(principal: AwsPrincipal): Promise<CollaborationSummary[]> {
  const clients = await awsClientsFor(principal);
  return awsCall("Listing your collaborations", async () => {
    const found: CollaborationSummary[] = [];
    let nextToken: string | undefined;
    do {
      const page = await clients.cleanrooms.send(new ListCollaborationsCommand({ nextToken }));
      for (const c of page.collaborationList ?? []) {
        if (c.memberStatus === "LEFT" || c.memberStatus === "REMOVED") continue;
        found.push({
          id: c.id!,
          name: c.name!,
          creatorAccountId: c.creatorAccountId!,
          creatorDisplayName: c.creatorDisplayName!,
          memberStatus: c.memberStatus!,
          createTime: (c.createTime ?? new Date()).toISOString(),
          isCreator: c.creatorAccountId === clients.accountId,
        });
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return found.sort((a, b) => b.createTime.localeCompare(a.createTime));
  });
}

export async function createCollaboration(principal: AwsPrincipal, input: NewCollaboration): Promise<string> {
  const clients = await awsClientsFor(principal);
  if (input.members.some((m) => m.accountId === clients.accountId)) {
    throw new AppError("invalid", "Your own organization is the creator; invite the other organizations.", { members: ["Remove your own account id from the members."] });
  }
  const { collaboration } = await awsCall(
    "Creating the collaboration",
    () =>
      clients.cleanrooms.send(
        new CreateCollaborationCommand({
          name: input.name,
          description: input.description,
          creatorDisplayName: input.creatorDisplayName,
          creatorMemberAbilities: input.creatorAbilities as MemberAbility[],
          members: input.members.map((m) => ({ accountId: m.accountId, displayName: m.displayName, memberAbilities: m.abilities as MemberAbility[] })),
          queryLogStatus: input.queryLogStatus,
          ...(input.encryption ? { dataEncryptionMetadata: input.encryption } : {}),
        }),
      ),
    collaborationFields,
  );
  // The creator, too, is only invited until it joins: the console joins for it at once.
  await joinCollaboration(principal, collaboration!.id!);
  return collaboration!.id!;
}

/** The organization's active membership of a collaboration, if it has joined. */
export async function membershipOf(clients: AwsClients, collaborationId: string) {
  let nextToken: string | undefined;
  do {
    const page = await clients.cleanrooms.send(new ListMembershipsCommand({ nextToken }));
    const found = page.membershipSummaries?.find((m) => m.collaborationId === collaborationId && m.status === "ACTIVE");
    if (found) return found;
    nextToken = page.nextToken;
  } while (nextToken);
  return undefined;
}

/**
 * Joins a collaboration the organization was invited to: creates its membership, with query
 * results going by default to the organization's results bucket (made on first use) when it may
 * receive results.
 */
export async function joinCollaboration(principal: AwsPrincipal, collaborationId: string): Promise<void> {
  const clients = await awsClientsFor(principal);
  const { collaboration } = await awsCall("Reading the collaboration", () => clients.cleanrooms.send(new GetCollaborationCommand({ collaborationIdentifier: collaborationId })));
  if (collaboration!.memberStatus !== "INVITED") throw new AppError("conflict", "Your organization is not waiting to join this collaboration.");
  const members = await clients.cleanrooms.send(new ListMembersCommand({ collaborationIdentifier: collaborationId }));
  const me = members.memberSummaries?.find((m) => m.accountId === clients.accountId);
  const receives = me?.abilities?.includes("CAN_RECEIVE_RESULTS") ?? false;
  const bucket = resultsBucketOf(clients.accountId);
  if (receives) await ensureBucket(clients, bucket);
  await awsCall("Joining the collaboration", () =>
    clients.cleanrooms.send(
      new CreateMembershipCommand({
        collaborationIdentifier: collaborationId,
        queryLogStatus: collaboration!.queryLogStatus ?? "DISABLED",
        // On AWS, Clean Rooms writes results with the results role (lib/iam-policies.ts); the local cloud writes them itself.
        ...(receives
          ? {
              defaultResultConfiguration: {
                outputConfiguration: { s3: { resultFormat: "CSV", bucket, keyPrefix: `results/${collaborationId}/` } },
                roleArn: `arn:aws:iam::${clients.accountId}:role/${roleNames.results}`,
              },
            }
          : {}),
      }),
    ),
  );
}

/**
 * Associates one of the organization's configured tables with a collaboration under a table name
 * for SQL, and lets the members that may receive results (or those named) receive results of it.
 */
export async function associateTable(
  principal: AwsPrincipal,
  collaborationId: string,
  input: { configuredTableId: string; name: string; description?: string; resultReceivers?: string[] },
): Promise<void> {
  const clients = await awsClientsFor(principal);
  const membership = await awsCall("Reading your membership", () => membershipOf(clients, collaborationId));
  if (!membership) throw new AppError("conflict", "Your organization must join the collaboration before it can add tables.");
  const { configuredTableAssociation } = await awsCall(
    "Adding the table",
    () =>
      clients.cleanrooms.send(
        new CreateConfiguredTableAssociationCommand({
          membershipIdentifier: membership.id!,
          configuredTableIdentifier: input.configuredTableId,
          name: input.name,
          description: input.description || undefined,
          // In local mode the role is recorded and checked for the account, never assumed.
          roleArn: `arn:aws:iam::${clients.accountId}:role/${roleNames.tableAccess}`,
        }),
      ),
    associationFields,
  );
  const receivers = input.resultReceivers ?? [];
  const table = configuredTableAssociation!;
  // Who may receive results is a rule of the association, of the same type as the configured
  // table's rule (the association's own analysisRuleTypes lists association rules, none yet); a
  // table without a rule yet cannot be queried, so there is nothing to receive.
  if (!receivers.length) return;
  const { configuredTable } = await awsCall("Reading the configured table", () => clients.cleanrooms.send(new GetConfiguredTableCommand({ configuredTableIdentifier: input.configuredTableId })));
  const type = analysisRuleTypes.find((t) => configuredTable?.analysisRuleTypes?.includes(t));
  if (!receivers.length || !type) return;
  const receiving = { allowedResultReceivers: receivers };
  const analysisRulePolicy: ConfiguredTableAssociationAnalysisRulePolicy =
    type === "LIST" ? { v1: { list: receiving } } : type === "CUSTOM" ? { v1: { custom: receiving } } : { v1: { aggregation: receiving } };
  await awsCall(
    "Setting who may receive results",
    () =>
      clients.cleanrooms.send(
        new CreateConfiguredTableAssociationAnalysisRuleCommand({
          membershipIdentifier: membership.id!,
          configuredTableAssociationIdentifier: table.id!,
          analysisRuleType: type,
          analysisRulePolicy,
        }),
      ),
    { analysisRulePolicy: "resultReceivers" },
  );
}

export async function removeAssociation(principal: AwsPrincipal, collaborationId: string, associationId: string): Promise<void> {
  const clients = await awsClientsFor(principal);
  const membership = await awsCall("Reading your membership", () => membershipOf(clients, collaborationId));
  if (!membership) throw new AppError("not_found", "Your organization is not a member of this collaboration.");
  await awsCall("Removing the table", () =>
    clients.cleanrooms.send(new DeleteConfiguredTableAssociationCommand({ membershipIdentifier: membership.id!, configuredTableAssociationIdentifier: associationId })),
  );
}

export async function leaveCollaboration(principal: AwsPrincipal, collaborationId: string): Promise<void> {
  const clients = await awsClientsFor(principal);
  const membership = await awsCall("Reading your membership", () => membershipOf(clients, collaborationId));
  if (!membership) throw new AppError("not_found", "Your organization is not a member of this collaboration.");
  await awsCall("Leaving the collaboration", () => clients.cleanrooms.send(new DeleteMembershipCommand({ membershipIdentifier: membership.id! })));
}

export async function deleteCollaboration(principal: AwsPrincipal, collaborationId: string): Promise<void> {
  const clients = await awsClientsFor(principal);
  await awsCall("Deleting the collaboration", () => clients.cleanrooms.send(new DeleteCollaborationCommand({ collaborationIdentifier: collaborationId })));
}

/**
 * Every associated table of a collaboration as its schemas show it, with its rule: listed, then
 * read 25 at a time with BatchGetSchema and BatchGetSchemaAnalysisRule (a few calls, not two per table).
 */
export async function schemasOf(clients: AwsClients, collaborationId: string): Promise<CollaborationDetail["tables"]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.cleanrooms.send(new ListSchemasCommand({ collaborationIdentifier: collaborationId, nextToken }));
    names.push(...(page.schemaSummaries ?? []).map((s) => s.name!));
    nextToken = page.nextToken;
  } while (nextToken);
  const tables: CollaborationDetail["tables"] = [];
  for (let i = 0; i < names.length; i += 25) {
    const { schemas = [] } = await clients.cleanrooms.send(new BatchGetSchemaCommand({ collaborationIdentifier: collaborationId, names: names.slice(i, i + 25) }));
    const typed = schemas.map((schema) => ({ schema, type: analysisRuleTypes.find((t) => schema.analysisRuleTypes?.includes(t)) }));
    const requests = typed.filter((t) => t.type).map((t) => ({ name: t.schema.name!, type: t.type! }));
    const { analysisRules = [] } = requests.length
      ? await clients.cleanrooms.send(new BatchGetSchemaAnalysisRuleCommand({ collaborationIdentifier: collaborationId, schemaAnalysisRuleRequests: requests }))
      : {};
    for (const { schema, type } of typed) {
      const analysisRule = analysisRules.find((r) => r.name === schema.name && r.type === type);
      const policy = configuredTableRulePolicy.safeParse(analysisRule?.policy);
      const receivers = type
        ? (analysisRule?.collaborationPolicy?.v1 as Record<string, { allowedResultReceivers?: string[] } | undefined> | undefined)?.[policyMember[type]]?.allowedResultReceivers
        : undefined;
      tables.push({
        name: schema.name!,
        ownerAccountId: schema.creatorAccountId!,
        description: schema.description ?? "",
        // Allowed partition keys are columns a query may name like any other.
        columns: [...(schema.columns ?? []), ...(schema.partitionKeys ?? [])].map((c) => ({ name: c.name!, type: c.type! })),
        rule: type && policy.success ? tableRuleOf(type, policy.data) : null,
        ...(receivers ? { resultReceivers: receivers } : {}),
        associationId: null,
      });
    }
  }
  return tables.sort((a, b) => a.name.localeCompare(b.name));
}

/** The collaboration's analysis templates with their SQL and parameters: listed, then read 10 at a time. */
async function templatesOf(clients: AwsClients, collaborationId: string): Promise<CollaborationDetail["templates"]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await clients.cleanrooms.send(new ListCollaborationAnalysisTemplatesCommand({ collaborationIdentifier: collaborationId, nextToken }));
    arns.push(...(page.collaborationAnalysisTemplateSummaries ?? []).map((t) => t.arn!));
    nextToken = page.nextToken;
  } while (nextToken);
  const templates: CollaborationDetail["templates"] = [];
  for (let i = 0; i < arns.length; i += 10) {
    const { collaborationAnalysisTemplates = [] } = await clients.cleanrooms.send(
      new BatchGetCollaborationAnalysisTemplateCommand({ collaborationIdentifier: collaborationId, analysisTemplateArns: arns.slice(i, i + 10) }),
    );
    for (const t of collaborationAnalysisTemplates) {
      templates.push({
        name: t.name!,
        arn: t.arn!,
        creatorAccountId: t.creatorAccountId!,
        description: t.description ?? "",
        sql: t.source?.text ?? "",
        parameters: (t.analysisParameters ?? []).map((p) => ({ name: p.name!, type: p.type!, ...(p.defaultValue !== undefined ? { defaultValue: p.defaultValue } : {}) })),
      });
    }
  }
  return templates.sort((a, b) => a.name.localeCompare(b.name));
}

/** Everything a member's people may see of a collaboration, or null when it is not theirs to see. */
export async function getCollaboration(principal: AwsPrincipal, collaborationId: string): Promise<CollaborationDetail | null> {
  if (!/^[\da-f-]{36}$/.test(collaborationId)) return null;
  const clients = await awsClientsFor(principal);
  const found = await clients.cleanrooms.send(new GetCollaborationCommand({ collaborationIdentifier: collaborationId })).catch((error: unknown) => {
    if (isAwsError(error, "ResourceNotFoundException", "AccessDeniedException")) return null;
    throw error;
  });
  const collaboration = found?.collaboration;
  if (!collaboration) return null;
  return awsCall("Reading the collaboration", async () => {
    const members = await clients.cleanrooms.send(new ListMembersCommand({ collaborationIdentifier: collaborationId }));
    const active = collaboration.memberStatus === "ACTIVE";
    const membership = active ? await membershipOf(clients, collaborationId) : undefined;
    const tables: CollaborationDetail["tables"] = [];
    const templates: CollaborationDetail["templates"] = [];
    const ownAssociations = new Map<string, string>();
    if (active) {
      tables.push(...(await schemasOf(clients, collaborationId)));
      if (membership) {
        const associations = await clients.cleanrooms.send(new ListConfiguredTableAssociationsCommand({ membershipIdentifier: membership.id! }));
        for (const a of associations.configuredTableAssociationSummaries ?? []) ownAssociations.set(a.name!, a.id!);
        for (const table of tables) if (table.ownerAccountId === clients.accountId) table.associationId = ownAssociations.get(table.name) ?? null;
      }
      templates.push(...(await templatesOf(clients, collaborationId)));
    }
    return {
      id: collaboration.id!,
      name: collaboration.name!,
      description: collaboration.description ?? "",
      creatorAccountId: collaboration.creatorAccountId!,
      creatorDisplayName: collaboration.creatorDisplayName!,
      memberStatus: collaboration.memberStatus!,
      queryLogStatus: collaboration.queryLogStatus ?? "DISABLED",
      encryption: collaboration.dataEncryptionMetadata
        ? {
            allowCleartext: !!collaboration.dataEncryptionMetadata.allowCleartext,
            allowDuplicates: !!collaboration.dataEncryptionMetadata.allowDuplicates,
            allowJoinsOnColumnsWithDifferentNames: !!collaboration.dataEncryptionMetadata.allowJoinsOnColumnsWithDifferentNames,
            preserveNulls: !!collaboration.dataEncryptionMetadata.preserveNulls,
          }
        : null,
      isCreator: collaboration.creatorAccountId === clients.accountId,
      ownAccountId: clients.accountId,
      membershipId: membership?.id ?? null,
      members: (members.memberSummaries ?? []).map((m) => ({ accountId: m.accountId!, displayName: m.displayName!, status: m.status!, abilities: m.abilities ?? [] })),
      tables,
      templates,
    };
  });
}
