import { cache } from "react";
import { forbidden, redirect } from "next/navigation";
import { can, type Permission, type Role } from "@/lib/permissions";
import { findSessionUser } from "@/server/members/store";
import { auth } from "./auth";

/** Who is acting: the signed-in user as the store knows them now. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  role: Role;
  orgId: string;
  orgName: string;
  orgSlug: string;
  awsAccountId: string;
}

// The session cookie says who signed in; the store says whether they still may, and with which role.
export const currentActor = cache(async (): Promise<Actor | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId) return null;
  const found = await findSessionUser({ userId });
  if (!found || !found.user.active) return null;
  const { user, organization } = found;
  return {
    userId: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    orgId: organization.id,
    orgName: organization.name,
    orgSlug: organization.slug,
    awsAccountId: organization.awsAccountId,
  };
});

/** For pages: signed-out visitors go to sign-in; a role without the permission gets 403. */
export async function requirePage(permission: Permission, path: string): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  if (!can(actor.role, permission)) forbidden();
  return actor;
}
