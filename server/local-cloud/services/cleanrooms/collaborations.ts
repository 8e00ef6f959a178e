import { z } from "zod";
import { route } from "../../protocols/rest-json";
import type { SignedRequest } from "../../sigv4/verify";
import { memberOf, ownCollaboration, visibleCollaboration, type Collaboration } from "./access";
import { accountId, arn, description, displayName, epoch, identifier, invalid, notFound, pageInput, paginate, resourceName, tags, timestamps } from "./common";
import type { CollaborationBody, CollaborationMember, MemberAbility, MembershipBody } from "./model";
import { deleteResources, findResource, insertResource, listResources, newId, updateResource } from "./resources";

const ability = z.enum(["CAN_QUERY", "CAN_RECEIVE_RESULTS", "CAN_RUN_JOB"]);
const paymentConfiguration = z.looseObject({ queryCompute: z.looseObject({ isResponsible: z.boolean() }) });
const memberSpecification = z.looseObject({
  accountId,
  memberAbilities: z.array(ability).max(3),
  mlMemberAbilities: z.unknown().optional(),
  displayName,
  paymentConfiguration: paymentConfiguration.optional(),
});

const createInput = z.looseObject({
  members: z.array(memberSpecification).max(9),
  name: resourceName,
  description,
  creatorMemberAbilities: z.array(ability).max(3),
  creatorMLMemberAbilities: z.unknown().optional(),
  creatorDisplayName: displayName,
  dataEncryptionMetadata: z.object({ allowCleartext: z.boolean(), allowDuplicates: z.boolean(), allowJoinsOnColumnsWithDifferentNames: z.boolean(), preserveNulls: z.boolean() }).optional(),
  queryLogStatus: z.enum(["ENABLED", "DISABLED"]),
  jobLogStatus: z.enum(["ENABLED", "DISABLED"]).optional(),
  tags,
  creatorPaymentConfiguration: paymentConfiguration.optional(),
  analyticsEngine: z.enum(["CLEAN_ROOMS_SQL", "SPARK"]).optional(),
  autoApprovedChangeRequestTypes: z.array(z.string()).optional(),
  allowedResultRegions: z.array(z.string()).optional(),
  isMetricsEnabled: z.boolean().optional(),
});

function defaultPayment(abilities: MemberAbility[]) {
  return { queryCompute: { isResponsible: abilities.includes("CAN_QUERY") } };
}

export function collaborationShape(collaboration: Collaboration, callerAccountId: string) {
  const { body } = collaboration;
  const me = memberOf(collaboration, callerAccountId) ?? body.members.find((m) => m.accountId === callerAccountId);
  return {
    id: collaboration.id,
    arn: collaboration.arn,
    name: collaboration.name,
    description: body.description,
    creatorAccountId: collaboration.accountId,
    creatorDisplayName: body.creatorDisplayName,
    ...timestamps(collaboration),
    memberStatus: me?.status,
    ...(me?.membershipId ? { membershipId: me.membershipId, membershipArn: me.membershipArn } : {}),
    ...(body.dataEncryptionMetadata ? { dataEncryptionMetadata: body.dataEncryptionMetadata } : {}),
    queryLogStatus: body.queryLogStatus,
    ...(body.jobLogStatus ? { jobLogStatus: body.jobLogStatus } : {}),
    analyticsEngine: body.analyticsEngine ?? "CLEAN_ROOMS_SQL",
    ...(body.autoApprovedChangeRequestTypes ? { autoApprovedChangeTypes: body.autoApprovedChangeRequestTypes } : {}),
    ...(body.allowedResultRegions ? { allowedResultRegions: body.allowedResultRegions } : {}),
    ...(body.isMetricsEnabled !== undefined ? { isMetricsEnabled: body.isMetricsEnabled } : {}),
  };
}

function summaryShape(collaboration: Collaboration, callerAccountId: string) {
  const full = collaborationShape(collaboration, callerAccountId);
  const { id, arn: collaborationArn, name, creatorAccountId, creatorDisplayName, createTime, updateTime, memberStatus, analyticsEngine } = full;
  return {
    id,
    arn: collaborationArn,
    name,
    creatorAccountId,
    creatorDisplayName,
    createTime,
    updateTime,
    memberStatus,
    analyticsEngine,
    ...(full.membershipId ? { membershipId: full.membershipId, membershipArn: full.membershipArn } : {}),
  };
}

function memberSummary(member: CollaborationMember) {
  return {
    accountId: member.accountId,
    status: member.status,
    displayName: member.displayName,
    abilities: member.abilities,
    ...(member.mlAbilities ? { mlAbilities: member.mlAbilities } : {}),
    createTime: epoch(member.createTime),
    updateTime: epoch(member.updateTime),
    ...(member.membershipId ? { membershipId: member.membershipId, membershipArn: member.membershipArn } : {}),
    paymentConfiguration: member.paymentConfiguration ?? defaultPayment(member.abilities),
  };
}

/** Collaborations the caller is an invited or active member of. */
async function collaborationsOf(caller: SignedRequest): Promise<Collaboration[]> {
  const listed = await listResources<CollaborationBody>({ kind: "collaboration", region: caller.region, memberAccountId: caller.accountId }, null, 100_000);
  return listed.filter((c) => memberOf(c, caller.accountId));
}

export const collaborationRoutes = [
  route("CreateCollaboration", "POST", "/collaborations", 200, createInput, async ({ input, caller }) => {
    const accounts = input.members.map((m) => m.accountId);
    if (accounts.includes(caller.accountId)) throw invalid("members", "The creator is a member already; list only the other members.");
    if (new Set(accounts).size !== accounts.length) throw invalid("members", "Each account may appear only once.");
    const now = new Date().toISOString();
    const id = newId();
    const members: CollaborationMember[] = [
      {
        accountId: caller.accountId,
        displayName: input.creatorDisplayName,
        abilities: input.creatorMemberAbilities,
        mlAbilities: input.creatorMLMemberAbilities,
        paymentConfiguration: input.creatorPaymentConfiguration ?? defaultPayment(input.creatorMemberAbilities),
        status: "INVITED",
        createTime: now,
        updateTime: now,
      },
      ...input.members.map((m) => ({
        accountId: m.accountId,
        displayName: m.displayName,
        abilities: m.memberAbilities,
        mlAbilities: m.mlMemberAbilities,
        paymentConfiguration: m.paymentConfiguration ?? defaultPayment(m.memberAbilities),
        status: "INVITED" as const,
        createTime: now,
        updateTime: now,
      })),
    ];
    const body: CollaborationBody = {
      region: caller.region,
      description: input.description,
      creatorDisplayName: input.creatorDisplayName,
      queryLogStatus: input.queryLogStatus,
      jobLogStatus: input.jobLogStatus,
      dataEncryptionMetadata: input.dataEncryptionMetadata,
      analyticsEngine: input.analyticsEngine,
      autoApprovedChangeRequestTypes: input.autoApprovedChangeRequestTypes,
      allowedResultRegions: input.allowedResultRegions,
      isMetricsEnabled: input.isMetricsEnabled,
      members,
    };
    const collaboration = await insertResource({
      id,
      kind: "collaboration",
      accountId: caller.accountId,
      collaborationId: id,
      membershipId: null,
      arn: arn(caller, caller.accountId, `collaboration/${id}`),
      name: input.name,
      body,
      tags: input.tags,
    });
    return { collaboration: collaborationShape(collaboration, caller.accountId) };
  }),

  route("GetCollaboration", "GET", "/collaborations/{collaborationIdentifier}", 200, z.looseObject({ collaborationIdentifier: identifier }), async ({ input, caller }) => ({
    collaboration: collaborationShape(await visibleCollaboration(input.collaborationIdentifier, caller), caller.accountId),
  })),

  route("ListCollaborations", "GET", "/collaborations", 200, z.looseObject({ ...pageInput, memberStatus: z.enum(["INVITED", "ACTIVE"]).optional() }), async ({ input, caller }) => {
    let list = await collaborationsOf(caller);
    if (input.memberStatus) list = list.filter((c) => memberOf(c, caller.accountId)?.status === input.memberStatus);
    const { page, nextToken } = paginate(list, input.nextToken, input.maxResults);
    return { collaborationList: page.map((c) => summaryShape(c, caller.accountId)), ...(nextToken ? { nextToken } : {}) };
  }),

  route(
    "UpdateCollaboration",
    "PATCH",
    "/collaborations/{collaborationIdentifier}",
    200,
    z.looseObject({ collaborationIdentifier: identifier, name: resourceName.optional(), description: description.optional(), analyticsEngine: z.enum(["CLEAN_ROOMS_SQL", "SPARK"]).optional() }),
    async ({ input, caller }) => {
      const collaboration = await ownCollaboration(input.collaborationIdentifier, caller);
      const updated = await updateResource<CollaborationBody>(collaboration.id, (current) => ({
        body: { ...current.body, ...(input.description !== undefined ? { description: input.description } : {}), ...(input.analyticsEngine ? { analyticsEngine: input.analyticsEngine } : {}) },
        ...(input.name ? { name: input.name } : {}),
      }));
      return { collaboration: collaborationShape(updated, caller.accountId) };
    },
  ),

  route("DeleteCollaboration", "DELETE", "/collaborations/{collaborationIdentifier}", 204, z.looseObject({ collaborationIdentifier: identifier }), async ({ input, caller }) => {
    const collaboration = await ownCollaboration(input.collaborationIdentifier, caller);
    // Memberships outlive their collaboration, marked as such; everything inside it goes.
    for (const membership of await listResources<MembershipBody>({ kind: "membership", collaborationId: collaboration.id })) {
      await updateResource<MembershipBody>(membership.id, (current) => ({ body: { ...current.body, status: "COLLABORATION_DELETED" as const } }));
    }
    const inside = [...(await listResources({ kind: "association", collaborationId: collaboration.id })), ...(await listResources({ kind: "analysisTemplate", collaborationId: collaboration.id }))];
    await deleteResources([...inside.map((r) => r.id), collaboration.id]);
    return {};
  }),

  route("ListMembers", "GET", "/collaborations/{collaborationIdentifier}/members", 200, z.looseObject({ collaborationIdentifier: identifier, ...pageInput }), async ({ input, caller }) => {
    const collaboration = await visibleCollaboration(input.collaborationIdentifier, caller);
    const members = collaboration.body.members.map((m) => ({ ...m, id: m.accountId }));
    const { page, nextToken } = paginate(members, input.nextToken, input.maxResults);
    return { memberSummaries: page.map(memberSummary), ...(nextToken ? { nextToken } : {}) };
  }),

  route("DeleteMember", "DELETE", "/collaborations/{collaborationIdentifier}/member/{accountId}", 204, z.looseObject({ collaborationIdentifier: identifier, accountId }), async ({ input, caller }) => {
    const collaboration = await ownCollaboration(input.collaborationIdentifier, caller);
    if (input.accountId === caller.accountId) throw invalid("accountId", "The creator cannot remove itself; delete the collaboration instead.");
    const updated = await updateResource<CollaborationBody>(collaboration.id, (current) => {
      if (!memberOf(current, input.accountId)) throw notFound("MEMBER", input.accountId, "member");
      const now = new Date().toISOString();
      return { body: { ...current.body, members: current.body.members.map((m) => (m.accountId === input.accountId ? { ...m, status: "REMOVED" as const, updateTime: now } : m)) } };
    });
    const membershipId = memberOf(updated, input.accountId)?.membershipId;
    if (membershipId && (await findResource<MembershipBody>("membership", membershipId))) {
      await updateResource<MembershipBody>(membershipId, (current) => ({ body: { ...current.body, status: "REMOVED" as const } }));
    }
    return {};
  }),
];
