import { z } from "zod";
import { route } from "../../protocols/rest-json";
import type { SignedRequest } from "../../sigv4/verify";
import { ownMembership, type Membership } from "./access";
import { accountId, arn, conflict, description, identifier, invalid, notFound, pageInput, pageResources, resolveId, roleArn, tags, timestamps, unique } from "./common";
import { ownConfiguredTable, receivesResults, usesDifferentialPrivacy } from "./configured-tables";
import type { AnalysisRuleType, AssociationBody, CollaborationBody, ConfiguredTableBody } from "./model";
import { deleteResources, findResource, insertResource, isUniqueViolation, listResources, newId, updateResource, type Resource } from "./resources";

export type Association = Resource<AssociationBody>;

// The association's name is the table's name in SQL, so it must be a plain identifier.
const associationName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9_](([a-zA-Z0-9_ ]+-)*([a-zA-Z0-9_ ]+))?$/, "Member must satisfy regular expression pattern: [a-zA-Z0-9_](([a-zA-Z0-9_ ]+-)*([a-zA-Z0-9_ ]+))?");
const ruleType = z.enum(["AGGREGATION", "LIST", "CUSTOM"]);
const collaborationRule = z.object({ allowedResultReceivers: z.array(accountId).optional(), allowedAdditionalAnalyses: z.array(z.string().max(256)).max(25).optional() });
const associationRulePolicy = z.object({ v1: z.object({ list: collaborationRule.optional(), aggregation: collaborationRule.optional(), custom: collaborationRule.optional() }) });
const ids = { membershipIdentifier: identifier, configuredTableAssociationIdentifier: identifier };

async function ownAssociation(membershipIdentifier: string, associationIdentifier: string, caller: SignedRequest): Promise<{ membership: Membership; association: Association }> {
  const membership = await ownMembership(membershipIdentifier, caller);
  const association = await findResource<AssociationBody>("association", resolveId(associationIdentifier));
  if (!association || association.membershipId !== membership.id) throw notFound("CONFIGURED_TABLE_ASSOCIATION", associationIdentifier, "configured table association");
  return { membership, association };
}

function associationShape(association: Association, membership: Membership, tableArn: string) {
  return {
    arn: association.arn,
    id: association.id,
    configuredTableId: association.body.configuredTableId,
    configuredTableArn: tableArn,
    membershipId: membership.id,
    membershipArn: membership.arn,
    roleArn: association.body.roleArn,
    name: association.name,
    ...(association.body.description ? { description: association.body.description } : {}),
    analysisRuleTypes: Object.keys(association.body.analysisRules),
    ...timestamps(association),
  };
}

async function tableArnOf(association: Association): Promise<string> {
  const table = await findResource("configuredTable", association.body.configuredTableId);
  return table?.arn ?? `arn:aws:cleanrooms:${association.body.region}:${association.accountId}:configuredtable/${association.body.configuredTableId}`;
}

function ruleShape(association: Association, membership: Membership, type: AnalysisRuleType) {
  const rule = association.body.analysisRules[type];
  if (!rule) throw notFound("ANALYSIS_RULE", `${association.id}/${type}`, "analysis rule");
  return {
    membershipIdentifier: membership.id,
    configuredTableAssociationId: association.id,
    configuredTableAssociationArn: association.arn,
    policy: rule.policy,
    type,
    createTime: new Date(rule.createTime).getTime() / 1000,
    updateTime: new Date(rule.updateTime).getTime() / 1000,
  };
}

/** Result receivers must be members of the collaboration who can receive results. */
async function checkAssociationRule(type: AnalysisRuleType, policy: z.output<typeof associationRulePolicy>, association: Association, membership: Membership) {
  const member = type.toLowerCase() as "list" | "aggregation" | "custom";
  const given = Object.entries(policy.v1).filter(([, v]) => v !== undefined);
  if (given.length !== 1 || given[0]![0] !== member) throw invalid("analysisRulePolicy.v1", `The policy must contain exactly one rule, "${member}", to match analysisRuleType ${type}.`);
  const table = await findResource<ConfiguredTableBody>("configuredTable", association.body.configuredTableId);
  if (!table?.body.analysisRules[type]) {
    throw invalid("analysisRuleType", `Configured table "${table?.name ?? association.body.configuredTableId}" has no ${type} analysis rule; the association's rule must match it.`);
  }
  const rule = policy.v1[member]!;
  const receivers = rule.allowedResultReceivers ?? [];
  unique(`analysisRulePolicy.v1.${member}.allowedResultReceivers`, receivers);
  const collaboration = await findResource<CollaborationBody>("collaboration", membership.collaborationId!);
  for (const receiver of receivers) {
    const found = collaboration?.body.members.find((m) => m.accountId === receiver && (m.status === "ACTIVE" || m.status === "INVITED"));
    if (!found?.abilities.includes("CAN_RECEIVE_RESULTS")) {
      throw invalid(`analysisRulePolicy.v1.${member}.allowedResultReceivers`, `Account ${receiver} is not a member of this collaboration who can receive results.`);
    }
  }
  return { v1: { [member]: rule } };
}

export const associationRoutes = [
  route(
    "CreateConfiguredTableAssociation",
    "POST",
    "/memberships/{membershipIdentifier}/configuredTableAssociations",
    200,
    z.looseObject({ membershipIdentifier: identifier, name: associationName, description: description.optional(), configuredTableIdentifier: identifier, roleArn, tags }),
    async ({ input, caller }) => {
      const membership = await ownMembership(input.membershipIdentifier, caller, { activeOnly: true });
      const table = await ownConfiguredTable(input.configuredTableIdentifier, caller);
      const roleAccount = input.roleArn.split(":")[4];
      if (roleAccount !== caller.accountId) throw invalid("roleArn", `The role must be an IAM role of the table owner's account ${caller.accountId}, not ${roleAccount}.`);
      // Differential privacy protects a member's data from those who receive results, so a member who receives them cannot turn it on for its own tables.
      if (usesDifferentialPrivacy(table)) {
        if (receivesResults(await findResource<CollaborationBody>("collaboration", membership.collaborationId!), caller.accountId)) {
          throw invalid("configuredTableIdentifier", "Your organization can receive results in this collaboration, so it cannot add a table protected by differential privacy to it.");
        }
      }
      const siblings = await listResources<AssociationBody>({ kind: "association", collaborationId: membership.collaborationId! });
      const taken = () => conflict("ALREADY_EXISTS", `A configured table association named "${input.name}" already exists in this collaboration (names are compared without regard to letter case).`);
      if (siblings.some((a) => a.name.toLowerCase() === input.name.toLowerCase())) throw taken();
      if (siblings.some((a) => a.membershipId === membership.id && a.body.configuredTableId === table.id)) {
        throw conflict("ALREADY_EXISTS", `Configured table "${table.name}" is already associated with this collaboration.`);
      }
      const id = newId();
      const body: AssociationBody = { region: caller.region, description: input.description, configuredTableId: table.id, roleArn: input.roleArn, analysisRules: {} };
      // Two members may race for one name: the store's unique index decides.
      const association = await insertResource({
        id,
        kind: "association",
        accountId: caller.accountId,
        collaborationId: membership.collaborationId,
        membershipId: membership.id,
        arn: arn(caller, caller.accountId, `membership/${membership.id}/configuredtableassociation/${id}`),
        name: input.name,
        body,
        tags: input.tags,
      }).catch((error: unknown) => {
        throw isUniqueViolation(error) ? taken() : error;
      });
      return { configuredTableAssociation: associationShape(association, membership, table.arn) };
    },
  ),

  route(
    "GetConfiguredTableAssociation",
    "GET",
    "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}",
    200,
    z.looseObject(ids),
    async ({ input, caller }) => {
      const { membership, association } = await ownAssociation(input.membershipIdentifier, input.configuredTableAssociationIdentifier, caller);
      return { configuredTableAssociation: associationShape(association, membership, await tableArnOf(association)) };
    },
  ),

  route(
    "ListConfiguredTableAssociations",
    "GET",
    "/memberships/{membershipIdentifier}/configuredTableAssociations",
    200,
    z.looseObject({ membershipIdentifier: identifier, ...pageInput }),
    async ({ input, caller }) => {
      const membership = await ownMembership(input.membershipIdentifier, caller);
      const { page, nextToken } = await pageResources<AssociationBody>({ kind: "association", membershipId: membership.id }, input.nextToken, input.maxResults);
      return {
        configuredTableAssociationSummaries: page.map((a) => ({
          configuredTableId: a.body.configuredTableId,
          membershipId: membership.id,
          membershipArn: membership.arn,
          name: a.name,
          ...timestamps(a),
          id: a.id,
          arn: a.arn,
          analysisRuleTypes: Object.keys(a.body.analysisRules),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
  ),

  route(
    "UpdateConfiguredTableAssociation",
    "PATCH",
    "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}",
    200,
    z.looseObject({ ...ids, description: description.optional(), roleArn: roleArn.optional() }),
    async ({ input, caller }) => {
      const { membership, association } = await ownAssociation(input.membershipIdentifier, input.configuredTableAssociationIdentifier, caller);
      if (input.roleArn && input.roleArn.split(":")[4] !== caller.accountId) throw invalid("roleArn", `The role must be an IAM role of your account ${caller.accountId}.`);
      const updated = await updateResource<AssociationBody>(association.id, (current) => ({
        body: { ...current.body, ...(input.description !== undefined ? { description: input.description } : {}), ...(input.roleArn ? { roleArn: input.roleArn } : {}) },
      }));
      return { configuredTableAssociation: associationShape(updated, membership, await tableArnOf(association)) };
    },
  ),

  route(
    "DeleteConfiguredTableAssociation",
    "DELETE",
    "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}",
    204,
    z.looseObject(ids),
    async ({ input, caller }) => {
      const { association } = await ownAssociation(input.membershipIdentifier, input.configuredTableAssociationIdentifier, caller);
      await deleteResources([association.id]);
      return {};
    },
  ),

  route(
    "CreateConfiguredTableAssociationAnalysisRule",
    "POST",
    "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule",
    200,
    z.looseObject({ ...ids, analysisRuleType: ruleType, analysisRulePolicy: associationRulePolicy }),
    async ({ input, caller }) => {
      const { membership, association: owned } = await ownAssociation(input.membershipIdentifier, input.configuredTableAssociationIdentifier, caller);
      const policy = await checkAssociationRule(input.analysisRuleType, input.analysisRulePolicy, owned, membership);
      const updated = await updateResource<AssociationBody>(owned.id, (association) => {
        if (association.body.analysisRules[input.analysisRuleType])
          throw conflict("ALREADY_EXISTS", `The association already has a ${input.analysisRuleType} analysis rule.`, association.id, "CONFIGURED_TABLE_ASSOCIATION");
        const now = new Date().toISOString();
        return { body: { ...association.body, analysisRules: { ...association.body.analysisRules, [input.analysisRuleType]: { policy, createTime: now, updateTime: now } } } };
      });
      return { analysisRule: ruleShape(updated, membership, input.analysisRuleType) };
    },
  ),

  route(
    "GetConfiguredTableAssociationAnalysisRule",
    "GET",
    "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule/{analysisRuleType}",
    200,
    z.looseObject({ ...ids, analysisRuleType: ruleType }),
    async ({ input, caller }) => {
      const { membership, association } = await ownAssociation(input.membershipIdentifier, input.configuredTableAssociationIdentifier, caller);
      return { analysisRule: ruleShape(association, membership, input.analysisRuleType) };
    },
  ),

  route(
    "UpdateConfiguredTableAssociationAnalysisRule",
    "PATCH",
    "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule/{analysisRuleType}",
    200,
    z.looseObject({ ...ids, analysisRuleType: ruleType, analysisRulePolicy: associationRulePolicy }),
    async ({ input, caller }) => {
      const { membership, association: owned } = await ownAssociation(input.membershipIdentifier, input.configuredTableAssociationIdentifier, caller);
      if (!owned.body.analysisRules[input.analysisRuleType]) throw notFound("ANALYSIS_RULE", `${owned.id}/${input.analysisRuleType}`, "analysis rule");
      const policy = await checkAssociationRule(input.analysisRuleType, input.analysisRulePolicy, owned, membership);
      const updated = await updateResource<AssociationBody>(owned.id, (association) => {
        const current = association.body.analysisRules[input.analysisRuleType];
        if (!current) throw notFound("ANALYSIS_RULE", `${association.id}/${input.analysisRuleType}`, "analysis rule");
        return {
          body: {
            ...association.body,
            analysisRules: { ...association.body.analysisRules, [input.analysisRuleType]: { policy, createTime: current.createTime, updateTime: new Date().toISOString() } },
          },
        };
      });
      return { analysisRule: ruleShape(updated, membership, input.analysisRuleType) };
    },
  ),

  route(
    "DeleteConfiguredTableAssociationAnalysisRule",
    "DELETE",
    "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule/{analysisRuleType}",
    204,
    z.looseObject({ ...ids, analysisRuleType: ruleType }),
    async ({ input, caller }) => {
      const { association: owned } = await ownAssociation(input.membershipIdentifier, input.configuredTableAssociationIdentifier, caller);
      await updateResource<AssociationBody>(owned.id, (association) => {
        if (!association.body.analysisRules[input.analysisRuleType]) throw notFound("ANALYSIS_RULE", `${association.id}/${input.analysisRuleType}`, "analysis rule");
        const rules = { ...association.body.analysisRules };
        delete rules[input.analysisRuleType];
        return { body: { ...association.body, analysisRules: rules } };
      });
      return {};
    },
  ),
];
