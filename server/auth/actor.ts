import type { Role } from "@/lib/permissions";
import type { Organization } from "@/server/db/schema";

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

export function actorOf({ user, organization }: { user: { id: string; email: string; name: string; role: Role }; organization: Organization }): Actor {
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
