import "server-only";
import { rolePolicies, type RolePolicies, type RoleUse } from "@/lib/iam-policies";
import type { AwsPrincipal } from "@/server/aws/clients";
import { localCloudRegion } from "@/server/config";
import { resultsBucketOf } from "@/server/collaborations/collaborations";
import { DATABASE, dataBucketOf } from "@/server/datasets/datasets";

/** The roles an organization needs on AWS for the given uses, with policies for its own resources. */
export function rolesFor(principal: AwsPrincipal, uses: RoleUse[]): RolePolicies[] {
  const roles = rolePolicies({
    accountId: principal.awsAccountId,
    region: localCloudRegion(),
    dataBucket: dataBucketOf(principal.awsAccountId),
    resultsBucket: resultsBucketOf(principal.awsAccountId),
    database: DATABASE,
  });
  return roles.filter((r) => uses.includes(r.use));
}
