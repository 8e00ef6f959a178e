import { queryService, type QueryCall } from "../../protocols/query";
import { integerParam, stringParam } from "../../protocols/query-params";
import { createRole, deleteRole, getRole, listRoles, roleArn, updateTrustPolicy, type Role } from "./roles";

// IAM over the query protocol: roles and their trust policies, which STS AssumeRole applies.
// Only an account's own credentials manage its roles; an assumed role acts for its account.

const roleName = { required: true, min: 1, max: 64, pattern: /^[\w+=,.@-]+$/ } as const;
const policyDocument = { required: true, min: 1, max: 131072, pattern: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/ } as const;

function roleMembers(role: Role) {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: roleArn(role),
    CreateDate: role.createdAt.toISOString(),
    // IAM returns policy documents URL-encoded; the AWS CLI decodes them, the SDKs leave it to the caller.
    AssumeRolePolicyDocument: encodeURIComponent(role.trustPolicy),
    ...(role.description ? { Description: role.description } : {}),
    MaxSessionDuration: role.maxSessionDuration,
  };
}

export const iam = queryService("iam", "https://iam.amazonaws.com/doc/2010-05-08/", {
  CreateRole: async ({ params, caller }: QueryCall) => {
    const role = await createRole({
      accountId: caller.accountId,
      roleName: stringParam(params, "RoleName", roleName),
      path: stringParam(params, "Path", { min: 1, max: 512, pattern: /^\/([\x21-\x7E]*\/)?$/ }) ?? "/",
      description: stringParam(params, "Description", { max: 1000 }),
      trustPolicy: stringParam(params, "AssumeRolePolicyDocument", policyDocument),
      maxSessionDuration: integerParam(params, "MaxSessionDuration", { min: 3600, max: 43200 }) ?? 3600,
    });
    return { Role: roleMembers(role) };
  },
  GetRole: async ({ params, caller }) => ({ Role: roleMembers(await getRole(caller.accountId, stringParam(params, "RoleName", roleName))) }),
  ListRoles: async ({ params, caller }) => {
    const prefix = stringParam(params, "PathPrefix", { min: 1, max: 512 }) ?? "/";
    const roles = (await listRoles(caller.accountId)).filter((r) => r.path.startsWith(prefix));
    return { Roles: roles.length ? { member: roles.map(roleMembers) } : "", IsTruncated: false };
  },
  DeleteRole: async ({ params, caller }) => {
    await deleteRole(caller.accountId, stringParam(params, "RoleName", roleName));
    return {};
  },
  UpdateAssumeRolePolicy: async ({ params, caller }) => {
    await updateTrustPolicy(caller.accountId, stringParam(params, "RoleName", roleName), stringParam(params, "PolicyDocument", policyDocument));
    return {};
  },
});
