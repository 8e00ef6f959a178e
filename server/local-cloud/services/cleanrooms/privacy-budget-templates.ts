import { z } from "zod";
import { budgetPeriod, fraction, fractionAtMost, fractionToNumber } from "@/server/engine/privacy/accounting";
import { formatEpsilon } from "@/lib/privacy";
import { route } from "../../protocols/rest-json";
import { ownMembership, visibleCollaboration, type Collaboration } from "./access";
import { accessDenied, conflict, identifier, invalid, notFound, pageInput, pageResources, resolveId, tags, timestamps, arn } from "./common";
import { receivesResults, usesDifferentialPrivacy } from "./configured-tables";
import { budgetState, epsilon, everSpent, ownerOfTemplate, spentIn, templateIdFor, templateOf, usersNoisePerQuery } from "./privacy-budgets";
import type { AssociationBody, CollaborationBody, ConfiguredTableBody, PrivacyBudgetTemplateBody } from "./model";
import { deleteResourceIf, findResource, insertResource, isUniqueViolation, listResources, updateResource, type Resource } from "./resources";

// Privacy budget templates: each member whose tables are protected by differential privacy sets,
// once per collaboration, for its own tables, how much privacy every query may spend (epsilon), how many users the
// noise of one query hides (usersNoisePerQuery), and whether the budget refreshes each calendar
// month. The budget it sets, and the ledger of what queries spent, are in privacy-budgets.ts.

type Template = Resource<PrivacyBudgetTemplateBody>;

function shape(template: Template, collaboration: Collaboration | undefined) {
  return {
    id: template.id,
    arn: template.arn,
    membershipId: template.membershipId,
    membershipArn: `arn:aws:cleanrooms:${template.body.region}:${template.accountId}:membership/${template.membershipId}`,
    collaborationId: template.collaborationId,
    collaborationArn: collaboration?.arn ?? "",
    ...timestamps(template),
    privacyBudgetType: "DIFFERENTIAL_PRIVACY",
    autoRefresh: template.body.autoRefresh,
    parameters: { differentialPrivacy: { epsilon: template.body.epsilon, usersNoisePerQuery: template.body.usersNoisePerQuery } },
  };
}

function collaborationShape(template: Template, collaboration: Collaboration) {
  const { membershipId: _id, membershipArn: _arn, ...rest } = shape(template, collaboration);
  void _id;
  void _arn;
  return { ...rest, creatorAccountId: template.accountId };
}

/** Whether the member has associated, in this collaboration, a table its rule protects with differential privacy. */
async function ownsDifferentiallyPrivateTables(membershipId: string, collaborationId: string): Promise<boolean> {
  const associations = await listResources<AssociationBody>({ kind: "association", collaborationId });
  for (const association of associations.filter((a) => a.membershipId === membershipId)) {
    const table = await findResource<ConfiguredTableBody>("configuredTable", association.body.configuredTableId);
    if (table && usesDifferentialPrivacy(table)) return true;
  }
  return false;
}

async function ownTemplate(membershipIdentifier: string, templateIdentifier: string, caller: Parameters<typeof ownMembership>[1]) {
  const membership = await ownMembership(membershipIdentifier, caller);
  const template = await findResource<PrivacyBudgetTemplateBody>("privacyBudgetTemplate", resolveId(templateIdentifier));
  if (!template || template.membershipId !== membership.id) throw notFound("PRIVACY_BUDGET_TEMPLATE", templateIdentifier, "privacy budget template");
  return template;
}

const collaborationOf = (template: Template) => findResource("collaboration", template.collaborationId!) as Promise<Collaboration | undefined>;

export const privacyBudgetTemplateRoutes = [
  route(
    "CreatePrivacyBudgetTemplate",
    "POST",
    "/memberships/{membershipIdentifier}/privacybudgettemplates",
    200,
    z.looseObject({
      membershipIdentifier: identifier,
      autoRefresh: z.enum(["CALENDAR_MONTH", "NONE"]).optional(),
      privacyBudgetType: z.enum(["DIFFERENTIAL_PRIVACY", "ACCESS_BUDGET"]),
      parameters: z.looseObject({ differentialPrivacy: z.object({ epsilon, usersNoisePerQuery }).optional(), accessBudget: z.unknown().optional() }),
      tags,
    }),
    async ({ input, caller }) => {
      if (input.privacyBudgetType !== "DIFFERENTIAL_PRIVACY" || !input.parameters.differentialPrivacy) {
        throw invalid("privacyBudgetType", "The local cloud supports DIFFERENTIAL_PRIVACY budget templates, with parameters.differentialPrivacy.");
      }
      const membership = await ownMembership(input.membershipIdentifier, caller, { activeOnly: true });
      const collaborationId = membership.collaborationId!;
      // Only the member whose tables differential privacy protects sets what may be spent on them;
      // a member who receives results may not protect tables at all (configured-tables.ts).
      if (receivesResults(await findResource<CollaborationBody>("collaboration", collaborationId), caller.accountId)) {
        throw accessDenied("Your organization can receive results in this collaboration, so it cannot protect tables with differential privacy nor set their privacy budget.");
      }
      if (!(await ownsDifferentiallyPrivateTables(membership.id, collaborationId))) {
        throw accessDenied("Only a member whose associated tables are protected by differential privacy creates a privacy budget template, for its own tables.");
      }
      const exists = () => conflict("ALREADY_EXISTS", "Your organization already has a privacy budget template in this collaboration; update it instead.");
      if (await templateOf(collaborationId, caller.accountId)) throw exists();
      const id = templateIdFor(collaborationId, caller.accountId);
      const { epsilon: e, usersNoisePerQuery: noise } = input.parameters.differentialPrivacy;
      const autoRefresh = input.autoRefresh ?? "CALENDAR_MONTH";
      // What queries already spent on these tables stays spent: a template re-created after a
      // delete starts from it, and cannot be set below it.
      const spent = await spentIn({ collaborationId, ownerAccountId: caller.accountId }, budgetPeriod(autoRefresh, new Date()));
      if (!fractionAtMost(spent, fraction(e))) {
        throw invalid(
          "parameters.differentialPrivacy.epsilon",
          `Queries have already spent ${formatEpsilon(fractionToNumber(spent))} of epsilon on your tables in this collaboration; epsilon cannot be set below that.`,
        );
      }
      const template = await insertResource<PrivacyBudgetTemplateBody>({
        id,
        kind: "privacyBudgetTemplate",
        accountId: caller.accountId,
        collaborationId,
        membershipId: membership.id,
        arn: arn(caller, caller.accountId, `membership/${membership.id}/privacybudgettemplate/${id}`),
        name: id,
        body: { region: caller.region, autoRefresh, epsilon: e, usersNoisePerQuery: noise },
        tags: input.tags,
      }).catch((error: unknown) => {
        throw isUniqueViolation(error) ? exists() : error;
      });
      return { privacyBudgetTemplate: shape(template, await collaborationOf(template)) };
    },
  ),

  route(
    "GetPrivacyBudgetTemplate",
    "GET",
    "/memberships/{membershipIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}",
    200,
    z.looseObject({ membershipIdentifier: identifier, privacyBudgetTemplateIdentifier: identifier }),
    async ({ input, caller }) => {
      const template = await ownTemplate(input.membershipIdentifier, input.privacyBudgetTemplateIdentifier, caller);
      return { privacyBudgetTemplate: shape(template, await collaborationOf(template)) };
    },
  ),

  route(
    "ListPrivacyBudgetTemplates",
    "GET",
    "/memberships/{membershipIdentifier}/privacybudgettemplates",
    200,
    z.looseObject({ membershipIdentifier: identifier, ...pageInput }),
    async ({ input, caller }) => {
      const membership = await ownMembership(input.membershipIdentifier, caller);
      const { page, nextToken } = await pageResources<PrivacyBudgetTemplateBody>({ kind: "privacyBudgetTemplate", membershipId: membership.id }, input.nextToken, input.maxResults);
      const collaboration = (await findResource("collaboration", membership.collaborationId!)) as Collaboration | undefined;
      return {
        privacyBudgetTemplateSummaries: page.map((t) => {
          const { autoRefresh: _refresh, parameters: _parameters, ...summary } = shape(t, collaboration);
          void _refresh;
          void _parameters;
          return summary;
        }),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  ),

  route(
    "UpdatePrivacyBudgetTemplate",
    "PATCH",
    "/memberships/{membershipIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}",
    200,
    z.looseObject({
      membershipIdentifier: identifier,
      privacyBudgetTemplateIdentifier: identifier,
      privacyBudgetType: z.enum(["DIFFERENTIAL_PRIVACY", "ACCESS_BUDGET"]),
      parameters: z.looseObject({ differentialPrivacy: z.object({ epsilon: epsilon.optional(), usersNoisePerQuery: usersNoisePerQuery.optional() }).optional() }).optional(),
    }),
    async ({ input, caller }) => {
      const template = await ownTemplate(input.membershipIdentifier, input.privacyBudgetTemplateIdentifier, caller);
      if (input.privacyBudgetType !== "DIFFERENTIAL_PRIVACY") throw invalid("privacyBudgetType", "This template is a DIFFERENTIAL_PRIVACY template.");
      const change = input.parameters?.differentialPrivacy ?? {};
      const updated = await updateResource<PrivacyBudgetTemplateBody>(template.id, async (current, tx) => {
        // Lowering epsilon after queries spent from the budget would make what was spent exceed it.
        // The ledger says whether they did, whichever template row they were charged under.
        if (change.epsilon !== undefined && change.epsilon < current.body.epsilon && (await everSpent(ownerOfTemplate(current), tx))) {
          throw invalid("parameters.differentialPrivacy.epsilon", `Queries have already spent from this budget, so epsilon can be raised but not lowered below ${current.body.epsilon}.`);
        }
        return {
          body: {
            ...current.body,
            ...(change.epsilon !== undefined ? { epsilon: change.epsilon } : {}),
            ...(change.usersNoisePerQuery !== undefined ? { usersNoisePerQuery: change.usersNoisePerQuery } : {}),
          },
        };
      });
      return { privacyBudgetTemplate: shape(updated, await collaborationOf(updated)) };
    },
  ),

  route(
    "DeletePrivacyBudgetTemplate",
    "DELETE",
    "/memberships/{membershipIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}",
    204,
    z.looseObject({ membershipIdentifier: identifier, privacyBudgetTemplateIdentifier: identifier }),
    async ({ input, caller }) => {
      const template = await ownTemplate(input.membershipIdentifier, input.privacyBudgetTemplateIdentifier, caller);
      // Under the template's row lock, as queries are charged: none can be paid for between the check and the delete.
      await deleteResourceIf<PrivacyBudgetTemplateBody>(template.id, async (current, tx) => {
        const state = await budgetState(current, new Date(), tx);
        if (state.spent.num > 0n) {
          throw conflict(
            "INVALID_STATE",
            `Queries have spent ${formatEpsilon(fractionToNumber(state.spent))} of this budget${current.body.autoRefresh === "CALENDAR_MONTH" ? " this month" : ""}; a privacy budget template cannot be deleted while its budget has spend.`,
            current.id,
          );
        }
      });
      return {};
    },
  ),

  route(
    "ListCollaborationPrivacyBudgetTemplates",
    "GET",
    "/collaborations/{collaborationIdentifier}/privacybudgettemplates",
    200,
    z.looseObject({ collaborationIdentifier: identifier, ...pageInput }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const { page, nextToken } = await pageResources<PrivacyBudgetTemplateBody>({ kind: "privacyBudgetTemplate", collaborationId: collaboration.id }, input.nextToken, input.maxResults);
      return {
        collaborationPrivacyBudgetTemplateSummaries: page.map((t) => {
          const { autoRefresh: _refresh, parameters: _parameters, ...summary } = collaborationShape(t, collaboration);
          void _refresh;
          void _parameters;
          return summary;
        }),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  ),

  route(
    "GetCollaborationPrivacyBudgetTemplate",
    "GET",
    "/collaborations/{collaborationIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}",
    200,
    z.looseObject({ collaborationIdentifier: identifier, privacyBudgetTemplateIdentifier: identifier }),
    async ({ input, caller }) => {
      const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
      const template = await findResource<PrivacyBudgetTemplateBody>("privacyBudgetTemplate", resolveId(input.privacyBudgetTemplateIdentifier));
      if (!template || template.collaborationId !== collaboration.id) throw notFound("PRIVACY_BUDGET_TEMPLATE", input.privacyBudgetTemplateIdentifier, "privacy budget template");
      return { collaborationPrivacyBudgetTemplate: collaborationShape(template, collaboration) };
    },
  ),
];
