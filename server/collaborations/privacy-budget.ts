import "server-only";
import {
  CreatePrivacyBudgetTemplateCommand,
  GetCollaborationPrivacyBudgetTemplateCommand,
  ListCollaborationPrivacyBudgetsCommand,
  ListCollaborationPrivacyBudgetTemplatesCommand,
  PreviewPrivacyImpactCommand,
  UpdatePrivacyBudgetTemplateCommand,
} from "@aws-sdk/client-cleanrooms";
import { AppError } from "@/lib/errors";
import type { PrivacyBudgetView } from "@/lib/privacy";
import { awsClientsFor, type AwsClients, type AwsPrincipal } from "@/server/aws/clients";
import { awsCall } from "@/server/aws/errors";
import { membershipOf } from "./collaborations";

// A collaboration's privacy budget as members see it through the Clean Rooms API: the template
// the member protecting its tables with differential privacy set, and what is left of it per
// aggregation type. The same calls work against AWS.

/**
 * The budget that protects the differentially private tables of `ownerAccountId` (each such
 * member sets its own), or, unnamed, the caller's own or else the first; null when there is none.
 */
export async function privacyBudgetOf(clients: AwsClients, collaborationId: string, ownerAccountId?: string): Promise<PrivacyBudgetView | null> {
  const { collaborationPrivacyBudgetTemplateSummaries: templates = [] } = await clients.cleanrooms.send(
    new ListCollaborationPrivacyBudgetTemplatesCommand({ collaborationIdentifier: collaborationId }),
  );
  const summary = ownerAccountId ? templates.find((t) => t.creatorAccountId === ownerAccountId) : (templates.find((t) => t.creatorAccountId === clients.accountId) ?? templates[0]);
  if (!summary) return null;
  const [{ collaborationPrivacyBudgetTemplate: template }, { collaborationPrivacyBudgetSummaries: budgets }] = await Promise.all([
    clients.cleanrooms.send(new GetCollaborationPrivacyBudgetTemplateCommand({ collaborationIdentifier: collaborationId, privacyBudgetTemplateIdentifier: summary.id! })),
    clients.cleanrooms.send(new ListCollaborationPrivacyBudgetsCommand({ collaborationIdentifier: collaborationId, privacyBudgetType: "DIFFERENTIAL_PRIVACY" })),
  ]);
  const parameters = template!.parameters && "differentialPrivacy" in template!.parameters ? template!.parameters.differentialPrivacy : undefined;
  const budget = budgets?.find((b) => b.privacyBudgetTemplateId === summary.id);
  const aggregations = budget?.budget && "differentialPrivacy" in budget.budget ? (budget.budget.differentialPrivacy?.aggregations ?? []) : [];
  return {
    templateId: summary.id!,
    creatorAccountId: template!.creatorAccountId!,
    epsilon: parameters?.epsilon ?? 0,
    usersNoisePerQuery: parameters?.usersNoisePerQuery ?? 0,
    autoRefresh: template!.autoRefresh === "NONE" ? "NONE" : "CALENDAR_MONTH",
    aggregations: aggregations.map((a) => ({ type: a.type!, maxCount: a.maxCount ?? 0, remainingCount: a.remainingCount ?? 0 })),
  };
}

export async function readPrivacyBudget(principal: AwsPrincipal, collaborationId: string): Promise<PrivacyBudgetView | null> {
  const clients = await awsClientsFor(principal);
  return awsCall("Reading the privacy budget", () => privacyBudgetOf(clients, collaborationId));
}

async function ownMembership(principal: AwsPrincipal, collaborationId: string) {
  const clients = await awsClientsFor(principal);
  const membership = await awsCall("Reading your membership", () => membershipOf(clients, collaborationId));
  if (!membership) throw new AppError("not_found", "Your organization is not a member of this collaboration.");
  return { clients, membershipId: membership.id! };
}

/** How many aggregations of each type a template with these settings would allow (PreviewPrivacyImpact). */
export async function previewPrivacyImpact(principal: AwsPrincipal, collaborationId: string, epsilon: number, usersNoisePerQuery: number) {
  const { clients, membershipId } = await ownMembership(principal, collaborationId);
  const { privacyImpact } = await awsCall("Previewing the privacy impact", () =>
    clients.cleanrooms.send(new PreviewPrivacyImpactCommand({ membershipIdentifier: membershipId, parameters: { differentialPrivacy: { epsilon, usersNoisePerQuery } } })),
  );
  const aggregations = privacyImpact && "differentialPrivacy" in privacyImpact ? (privacyImpact.differentialPrivacy?.aggregations ?? []) : [];
  return aggregations.map((a) => ({ type: a.type!, maxCount: a.maxCount ?? 0 }));
}

/** Creates this member's template for its differentially private tables, or updates it (Clean Rooms keeps autoRefresh as created). */
export async function setPrivacyBudgetTemplate(
  principal: AwsPrincipal,
  collaborationId: string,
  input: { epsilon: number; usersNoisePerQuery: number; autoRefresh: "CALENDAR_MONTH" | "NONE" },
): Promise<"created" | "updated"> {
  const { clients, membershipId } = await ownMembership(principal, collaborationId);
  const existing = await awsCall("Reading the privacy budget", () => privacyBudgetOf(clients, collaborationId, clients.accountId));
  const parameters = { differentialPrivacy: { epsilon: input.epsilon, usersNoisePerQuery: input.usersNoisePerQuery } };
  if (!existing) {
    await awsCall("Creating the privacy budget template", () =>
      clients.cleanrooms.send(new CreatePrivacyBudgetTemplateCommand({ membershipIdentifier: membershipId, privacyBudgetType: "DIFFERENTIAL_PRIVACY", autoRefresh: input.autoRefresh, parameters })),
    );
    return "created";
  }
  await awsCall("Updating the privacy budget template", () =>
    clients.cleanrooms.send(
      new UpdatePrivacyBudgetTemplateCommand({ membershipIdentifier: membershipId, privacyBudgetTemplateIdentifier: existing.templateId, privacyBudgetType: "DIFFERENTIAL_PRIVACY", parameters }),
    ),
  );
  return "updated";
}
