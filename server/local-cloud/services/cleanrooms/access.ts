import type { SignedRequest } from "../../sigv4/verify";
import { accessDenied, notFound, resolveId } from "./common";
import type { CollaborationBody, CollaborationMember, MembershipBody } from "./model";
import { findResource, inRegion, type Resource } from "./resources";

// Who may see what. An account sees a collaboration only while it is a member (invited or
// active); it reads and changes only its own memberships, configured tables and associations.
// Like AWS, Clean Rooms resources live in the region of the request that created them: from
// another region they do not exist.

export type Collaboration = Resource<CollaborationBody>;
export type Membership = Resource<MembershipBody>;

export function memberOf(collaboration: Collaboration, accountId: string): CollaborationMember | undefined {
  return collaboration.body.members.find((m) => m.accountId === accountId && (m.status === "INVITED" || m.status === "ACTIVE"));
}

/** A collaboration the caller belongs to; others do not exist as far as the caller can tell. */
export async function visibleCollaboration(identifier: string, caller: SignedRequest): Promise<Collaboration> {
  const id = resolveId(identifier);
  const collaboration = await findResource<CollaborationBody>("collaboration", id);
  if (!collaboration || !inRegion(collaboration, caller.region) || !memberOf(collaboration, caller.accountId)) throw notFound("COLLABORATION", identifier);
  return collaboration;
}

export async function ownCollaboration(identifier: string, caller: SignedRequest): Promise<Collaboration> {
  const collaboration = await visibleCollaboration(identifier, caller);
  if (collaboration.accountId !== caller.accountId) throw accessDenied("Only the collaboration creator can do this.");
  return collaboration;
}

/** One of the caller's own memberships. */
export async function ownMembership(identifier: string, caller: SignedRequest, { activeOnly = false } = {}): Promise<Membership> {
  return ownedMembership(await findResource<MembershipBody>("membership", resolveId(identifier)), identifier, caller, { activeOnly });
}

/** The membership read, if it is the caller's (in the caller's region, and active when asked). */
export function ownedMembership(membership: Membership | undefined, identifier: string, caller: SignedRequest, { activeOnly = false } = {}): Membership {
  if (!membership || membership.accountId !== caller.accountId || !inRegion(membership, caller.region)) throw notFound("MEMBERSHIP", identifier);
  if (activeOnly && membership.body.status !== "ACTIVE") throw accessDenied(`Membership ${membership.id} is ${membership.body.status}, not ACTIVE.`);
  return membership;
}
