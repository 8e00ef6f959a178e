import "server-only";
import { consoleAccessPolicies, rolePolicies, type OrganizationResources, type RolePolicies, type RoleUse } from "@/lib/iam-policies";
import type { AwsPrincipal } from "@/server/aws/clients";
import { localCloudRegion } from "@/server/config";
import { resultsBucketOf } from "@/server/collaborations/collaborations";
import { DATABASE, dataBucketOf } from "@/server/datasets/datasets";

/** The organization's own buckets and database, which its roles' policies name. */
export function organizationResources(principal: AwsPrincipal, region = localCloudRegion()): OrganizationResources {
  return { accountId: principal.awsAccountId, region, dataBucket: dataBucketOf(principal.awsAccountId), resultsBucket: resultsBucketOf(principal.awsAccountId), database: DATABASE };
}

/** The roles an organization needs on AWS for the given uses, with policies for its own resources. */
export function rolesFor(principal: AwsPrincipal, uses: RoleUse[], region?: string): RolePolicies[] {
  return rolePolicies(organizationResources(principal, region)).filter((r) => uses.includes(r.use));
}

/** The role the console assumes for the organization, trusted by the console's account with its external id. */
export function consoleRoleFor(principal: AwsPrincipal, region: string, console: { accountId: string; externalId: string }): RolePolicies {
  return consoleAccessPolicies(organizationResources(principal, region), console);
}
