import { z } from "zod";
import { route } from "../../protocols/rest-json";
import type { SignedRequest } from "../../sigv4/verify";
import { memberOf, ownMembership, type Collaboration, type Membership } from "./access";
import { accessDenied, arn, conflict, identifier, invalid, notFound, pageInput, pageResources, resolveId, roleArn, tags, timestamps } from "./common";
import type { CollaborationBody, MembershipBody } from "./model";
import { findResource, inRegion, insertResource, listResources, newId, updateResource, type Resource } from "./resources";

const logStatus = z.enum(["ENABLED", "DISABLED"]);
export const resultConfiguration = z.looseObject({
  outputConfiguration: z.looseObject({
    s3: z.looseObject({
      resultFormat: z.enum(["CSV", "PARQUET"]),
      bucket: z.string().min(3).max(63),
      keyPrefix: z
        .string()
        .max(512)
        .regex(/^[\w!.=*/-]*$/)
        .optional(),
      singleFileOutput: z.boolean().optional(),
    }),
  }),
  roleArn: roleArn.optional(),
});
const paymentConfiguration = z.looseObject({ queryCompute: z.looseObject({ isResponsible: z.boolean() }) });

async function collaborationOf(membership: Membership) {
  return findResource<CollaborationBody>("collaboration", membership.collaborationId!);
}

function membershipShape(membership: Membership, collaboration: Collaboration | undefined) {
  const me = collaboration?.body.members.find((m) => m.accountId === membership.accountId);
  const { body } = membership;
  return {
    id: membership.id,
    arn: membership.arn,
    collaborationArn: collaboration?.arn ?? `arn:aws:cleanrooms:${body.region}:${membership.accountId}:collaboration/${membership.collaborationId}`,
    collaborationId: membership.collaborationId,
    collaborationCreatorAccountId: collaboration?.accountId,
    collaborationCreatorDisplayName: collaboration?.body.creatorDisplayName,
    collaborationName: collaboration?.name,
    ...timestamps(membership),
    status: body.status,
    memberAbilities: me?.abilities ?? [],
    ...(me?.mlAbilities ? { mlMemberAbilities: me.mlAbilities } : {}),
    queryLogStatus: body.queryLogStatus,
    ...(body.jobLogStatus ? { jobLogStatus: body.jobLogStatus } : {}),
    ...(body.defaultResultConfiguration ? { defaultResultConfiguration: body.defaultResultConfiguration } : {}),
    ...(body.defaultJobResultConfiguration ? { defaultJobResultConfiguration: body.defaultJobResultConfiguration } : {}),
    paymentConfiguration: body.paymentConfiguration,
    ...(body.isMetricsEnabled !== undefined ? { isMetricsEnabled: body.isMetricsEnabled } : {}),
  };
}

function checkResultConfiguration(config: z.output<typeof resultConfiguration> | undefined, caller: SignedRequest, abilities: string[]) {
  if (!config) return;
  if (!abilities.includes("CAN_RECEIVE_RESULTS")) {
    throw invalid("defaultResultConfiguration", "Only a member who can receive results may set a default result configuration.");
  }
  if (config.roleArn && !config.roleArn.startsWith(`arn:aws:iam::${caller.accountId}:`)) {
    throw invalid("defaultResultConfiguration.roleArn", `The role must belong to your account ${caller.accountId}.`);
  }
}

// What ListMemberships shows of each membership: its summary, a subset of GetMembership's shape.
const summaryFields = [
  "id",
  "arn",
  "collaborationArn",
  "collaborationId",
  "collaborationCreatorAccountId",
  "collaborationCreatorDisplayName",
  "collaborationName",
  "createTime",
  "updateTime",
  "status",
  "memberAbilities",
  "paymentConfiguration",
] as const;

export const membershipRoutes = [
  route(
    "CreateMembership",
    "POST",
    "/memberships",
    200,
    z.looseObject({
      collaborationIdentifier: identifier,
      queryLogStatus: logStatus,
      jobLogStatus: logStatus.optional(),
      tags,
      defaultResultConfiguration: resultConfiguration.optional(),
      defaultJobResultConfiguration: z.unknown().optional(),
      paymentConfiguration: paymentConfiguration.optional(),
      isMetricsEnabled: z.boolean().optional(),
    }),
    async ({ input, caller }) => {
      const found = await findResource<CollaborationBody>("collaboration", resolveId(input.collaborationIdentifier));
      if (!found || !inRegion(found, caller.region) || !memberOf(found, caller.accountId)) throw notFound("COLLABORATION", input.collaborationIdentifier);
      // Joining reads and writes the collaboration's member list under its row lock, with the
      // new membership in the same transaction: members joining at once all end up members.
      let membership: Resource<MembershipBody> | undefined;
      const updated = await updateResource<CollaborationBody>(found.id, async (collaboration, tx) => {
        const member = memberOf(collaboration, caller.accountId)!;
        if (member.status === "ACTIVE") throw conflict("ALREADY_EXISTS", "You are already an active member of this collaboration.", member.membershipId, "MEMBERSHIP");
        checkResultConfiguration(input.defaultResultConfiguration, caller, member.abilities);
        const id = newId();
        const membershipArn = arn(caller, caller.accountId, `membership/${id}`);
        const body: MembershipBody = {
          region: caller.region,
          status: "ACTIVE",
          queryLogStatus: input.queryLogStatus,
          jobLogStatus: input.jobLogStatus,
          defaultResultConfiguration: input.defaultResultConfiguration,
          defaultJobResultConfiguration: input.defaultJobResultConfiguration as Record<string, unknown> | undefined,
          paymentConfiguration: input.paymentConfiguration ?? (member.paymentConfiguration as Record<string, unknown>) ?? { queryCompute: { isResponsible: member.abilities.includes("CAN_QUERY") } },
          isMetricsEnabled: input.isMetricsEnabled,
        };
        membership = await insertResource(
          { id, kind: "membership", accountId: caller.accountId, collaborationId: collaboration.id, membershipId: id, arn: membershipArn, name: collaboration.name, body, tags: input.tags },
          tx,
        );
        const now = new Date().toISOString();
        const members = collaboration.body.members.map((m) => (m.accountId === caller.accountId ? { ...m, status: "ACTIVE" as const, membershipId: id, membershipArn, updateTime: now } : m));
        return { body: { ...collaboration.body, members } };
      });
      return { membership: membershipShape(membership!, updated) };
    },
  ),

  route("GetMembership", "GET", "/memberships/{membershipIdentifier}", 200, z.looseObject({ membershipIdentifier: identifier }), async ({ input, caller }) => {
    const membership = await ownMembership(input.membershipIdentifier, caller);
    return { membership: membershipShape(membership, await collaborationOf(membership)) };
  }),

  route("ListMemberships", "GET", "/memberships", 200, z.looseObject({ ...pageInput, status: z.enum(["ACTIVE", "REMOVED", "COLLABORATION_DELETED"]).optional() }), async ({ input, caller }) => {
    const { page, nextToken } = await pageResources<MembershipBody>(
      { kind: "membership", accountId: caller.accountId, region: caller.region, ...(input.status ? { statuses: [input.status] } : {}) },
      input.nextToken,
      input.maxResults,
    );
    const summaries = [];
    for (const membership of page) {
      const shape = membershipShape(membership, await collaborationOf(membership));
      summaries.push(Object.fromEntries(summaryFields.map((field) => [field, shape[field]])));
    }
    return { membershipSummaries: summaries, ...(nextToken ? { nextToken } : {}) };
  }),

  route(
    "UpdateMembership",
    "PATCH",
    "/memberships/{membershipIdentifier}",
    200,
    z.looseObject({
      membershipIdentifier: identifier,
      queryLogStatus: logStatus.optional(),
      jobLogStatus: logStatus.optional(),
      defaultResultConfiguration: resultConfiguration.optional(),
      defaultJobResultConfiguration: z.unknown().optional(),
    }),
    async ({ input, caller }) => {
      const membership = await ownMembership(input.membershipIdentifier, caller, { activeOnly: true });
      const collaboration = await collaborationOf(membership);
      const me = collaboration?.body.members.find((m) => m.accountId === caller.accountId);
      checkResultConfiguration(input.defaultResultConfiguration, caller, me?.abilities ?? []);
      const changes = {
        ...(input.queryLogStatus ? { queryLogStatus: input.queryLogStatus } : {}),
        ...(input.jobLogStatus ? { jobLogStatus: input.jobLogStatus } : {}),
        ...(input.defaultResultConfiguration ? { defaultResultConfiguration: input.defaultResultConfiguration } : {}),
      };
      return { membership: membershipShape(await updateResource<MembershipBody>(membership.id, (current) => ({ body: { ...current.body, ...changes } })), collaboration) };
    },
  ),

  route("DeleteMembership", "DELETE", "/memberships/{membershipIdentifier}", 204, z.looseObject({ membershipIdentifier: identifier }), async ({ input, caller }) => {
    const membership = await ownMembership(input.membershipIdentifier, caller);
    const collaboration = await collaborationOf(membership);
    if (collaboration && collaboration.accountId === caller.accountId) {
      throw accessDenied("The collaboration creator cannot leave; delete the collaboration instead.");
    }
    const inside = [...(await listResources({ kind: "association", membershipId: membership.id })), ...(await listResources({ kind: "analysisTemplate", membershipId: membership.id }))];
    if (inside.length) throw conflict("SUBRESOURCES_EXIST", "Delete this membership's configured table associations and analysis templates first.", membership.id, "MEMBERSHIP");
    if (collaboration) {
      const now = new Date().toISOString();
      await updateResource<CollaborationBody>(collaboration.id, (current) => ({
        body: { ...current.body, members: current.body.members.map((m) => (m.accountId === caller.accountId ? { ...m, status: "LEFT" as const, updateTime: now } : m)) },
      }));
    }
    await updateResource<MembershipBody>(membership.id, (current) => ({ body: { ...current.body, status: "REMOVED" as const } }));
    return {};
  }),
];
