import type { Actor } from "@/server/auth/session";
import { findUserForSignIn } from "@/server/members/store";

/** The Actor the session wrapper would build for this user, as the store knows them now. */
export async function actorFor(email: string): Promise<Actor> {
  const found = await findUserForSignIn({ email });
  if (!found) throw new Error(`no user ${email} in the test database`);
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
}
