import "server-only";
import {
  BatchGetSchemaCommand,
  GetCollaborationCommand,
  GetCollaborationPrivacyBudgetTemplateCommand,
  GetSchemaAnalysisRuleCommand,
  ListCollaborationPrivacyBudgetTemplatesCommand,
  ListMembersCommand,
  ListSchemasCommand,
  type AnalysisRuleType,
  type CleanRoomsClient,
} from "@aws-sdk/client-cleanrooms";
import { AppError } from "@/lib/errors";
import { accountParameter, type Blueprint, type BlueprintMember } from "@/lib/promote";
import type { Actor } from "@/server/auth/actor";
import { awsClientsFor } from "@/server/aws/clients";
import { awsCall } from "@/server/aws/errors";

// What "Promote to AWS" recreates, read through the Clean Rooms API as the collaboration's creator
// sees it: the collaboration and its members' abilities, each associated table's columns (with
// their types) and analysis rule, and the privacy budget template. No row, bucket or key of any
// member is in it: each member's data location and roles are parameters of the export.

async function all<T>(page: (token?: string) => Promise<{ items?: T[]; nextToken?: string }>): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  do {
    const got = await page(token);
    out.push(...(got.items ?? []));
    token = got.nextToken;
  } while (token);
  return out;
}

/** A rule names members by account id (analysis providers, result receivers): those become the members' parameters. */
function withAccountParameters(value: unknown, members: BlueprintMember[]): unknown {
  if (typeof value === "string") {
    const member = members.find((m) => m.accountId === value);
    return member ? accountParameter(member.label) : value;
  }
  if (Array.isArray(value)) return value.map((v) => withAccountParameters(v, members));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withAccountParameters(v, members)]));
  return value;
}

export async function blueprintOf(actor: Actor, collaborationId: string): Promise<Blueprint> {
  const clients = await awsClientsFor(actor);
  return awsCall("Reading the collaboration", () => readBlueprint(clients.cleanrooms, actor.awsAccountId, collaborationId));
}

/** The blueprint, read with the creator's Clean Rooms client (anywhere: AWS, or any local cloud). */
export async function readBlueprint(cr: CleanRoomsClient, accountId: string, collaborationId: string): Promise<Blueprint> {
  const { collaboration } = await cr.send(new GetCollaborationCommand({ collaborationIdentifier: collaborationId }));
  if (collaboration!.creatorAccountId !== accountId) throw new AppError("forbidden", "Only the collaboration's creator can promote it: it creates the collaboration on AWS.");
  const summaries = await all((nextToken) =>
    cr.send(new ListMembersCommand({ collaborationIdentifier: collaborationId, nextToken })).then((r) => ({ items: r.memberSummaries, nextToken: r.nextToken })),
  );
  // The creator first; each member gets a label for its parameters (MEMBER_1, MEMBER_2…).
  const ordered = [...summaries.filter((m) => m.accountId === collaboration!.creatorAccountId), ...summaries.filter((m) => m.accountId !== collaboration!.creatorAccountId)];
  const members: BlueprintMember[] = ordered.map((m, i) => ({ label: `MEMBER_${i + 1}`, accountId: m.accountId!, displayName: m.displayName!, abilities: [...(m.abilities ?? [])].sort() }));
  const labelOf = (accountId: string) => members.find((m) => m.accountId === accountId)!.label;

  const schemaNames = await all((nextToken) =>
    cr.send(new ListSchemasCommand({ collaborationIdentifier: collaborationId, nextToken })).then((r) => ({ items: r.schemaSummaries, nextToken: r.nextToken })),
  );
  const tables: Blueprint["tables"] = [];
  for (let i = 0; i < schemaNames.length; i += 25) {
    const { schemas = [] } = await cr.send(new BatchGetSchemaCommand({ collaborationIdentifier: collaborationId, names: schemaNames.slice(i, i + 25).map((s) => s.name!) }));
    for (const schema of schemas) {
      const ruleType = (schema.analysisRuleTypes ?? [])[0] as AnalysisRuleType | undefined;
      const rule = ruleType ? (await cr.send(new GetSchemaAnalysisRuleCommand({ collaborationIdentifier: collaborationId, name: schema.name!, type: ruleType }))).analysisRule : undefined;
      const policy = rule?.policy?.v1;
      tables.push({
        owner: labelOf(schema.creatorAccountId!),
        name: schema.name!,
        ...(schema.description ? { description: schema.description } : {}),
        columns: (schema.columns ?? []).map((c) => ({ name: c.name!, type: c.type! })),
        ...(ruleType && policy
          ? { rule: { type: ruleType, policy: withAccountParameters((policy as unknown as Record<string, unknown>)[ruleType.toLowerCase()], members) as Record<string, unknown> } }
          : {}),
      });
    }
  }
  tables.sort((a, b) => a.name.localeCompare(b.name));

  const templates = await all((nextToken) =>
    cr
      .send(new ListCollaborationPrivacyBudgetTemplatesCommand({ collaborationIdentifier: collaborationId, nextToken }))
      .then((r) => ({ items: r.collaborationPrivacyBudgetTemplateSummaries, nextToken: r.nextToken })),
  );
  const privacyBudgets: Blueprint["privacyBudgets"] = [];
  for (const summary of templates) {
    const { collaborationPrivacyBudgetTemplate: t } = await cr.send(
      new GetCollaborationPrivacyBudgetTemplateCommand({ collaborationIdentifier: collaborationId, privacyBudgetTemplateIdentifier: summary.id! }),
    );
    const dp = t!.parameters && "differentialPrivacy" in t!.parameters ? t!.parameters.differentialPrivacy : undefined;
    if (dp) privacyBudgets.push({ owner: labelOf(t!.creatorAccountId!), autoRefresh: t!.autoRefresh!, epsilon: dp.epsilon!, usersNoisePerQuery: dp.usersNoisePerQuery! });
  }

  return {
    name: collaboration!.name!,
    ...(collaboration!.description ? { description: collaboration!.description } : {}),
    queryLogStatus: collaboration!.queryLogStatus!,
    members,
    tables,
    privacyBudgets,
  };
}
