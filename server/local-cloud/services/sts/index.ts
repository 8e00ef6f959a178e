import { CloudError } from "../../errors";
import { queryService } from "../../protocols/query";
import { integerParam, stringParam } from "../../protocols/query-params";
import type { SignedRequest } from "../../sigv4/verify";
import { findRole } from "../iam/roles";
import { parseTrustPolicy, trustAllows } from "../iam/trust";
import { issueSession } from "./sessions";

// STS over the query protocol: GetCallerIdentity, which tells a client whose keys it holds, and
// AssumeRole, which hands out temporary credentials for another account's role when that role's
// trust policy names the caller (and the external id it asks for).

function callerArn(caller: SignedRequest): string {
  const role = caller.assumedRole;
  return role ? `arn:aws:sts::${caller.accountId}:assumed-role/${role.roleName}/${role.sessionName}` : `arn:aws:iam::${caller.accountId}:root`;
}

const roleArnPattern = /^arn:aws:iam::(\d{12}):role(\/(?:[\x21-\x7E]*\/)?)([\w+=,.@-]{1,64})$/;

export const sts = queryService("sts", "https://sts.amazonaws.com/doc/2011-06-15/", {
  GetCallerIdentity: async ({ caller }) => ({
    Arn: callerArn(caller),
    UserId: caller.assumedRole ? `${caller.assumedRole.roleId}:${caller.assumedRole.sessionName}` : caller.accountId,
    Account: caller.accountId,
  }),
  AssumeRole: async ({ params, caller }) => {
    const arn = stringParam(params, "RoleArn", { required: true, min: 20, max: 2048 });
    const sessionName = stringParam(params, "RoleSessionName", { required: true, min: 2, max: 64, pattern: /^[\w+=,.@-]*$/ });
    const externalId = stringParam(params, "ExternalId", { min: 2, max: 1224, pattern: /^[\w+=,.@:/-]*$/ });
    const duration = integerParam(params, "DurationSeconds", { min: 900, max: 43200 }) ?? 3600;
    if (params.has("Policy") || [...params.keys()].some((k) => k.startsWith("PolicyArns."))) {
      // Session policies narrow what a session may do; the local cloud authorizes by account only,
      // so it refuses them rather than hand out credentials broader than the caller asked for.
      throw new CloudError(400, "ValidationError", "The local cloud does not apply session policies: call AssumeRole without Policy or PolicyArns.");
    }
    const denied = new CloudError(403, "AccessDenied", `User: ${callerArn(caller)} is not authorized to perform: sts:AssumeRole on resource: ${arn}`);
    const parsed = roleArnPattern.exec(arn);
    if (!parsed) throw denied;
    const [, accountId, path, name] = parsed as unknown as [string, string, string, string];
    const role = await findRole(accountId, name);
    // A role that does not exist is refused as one that does not trust the caller: nobody learns
    // which roles another account has.
    if (!role || role.path !== path) throw denied;
    const callerArns = [callerArn(caller), ...(caller.assumedRole ? [`arn:aws:iam::${caller.accountId}:role/${caller.assumedRole.roleName}`] : [])];
    if (!trustAllows(parseTrustPolicy(role.trustPolicy), { callerAccount: caller.accountId, callerArns, externalId })) throw denied;
    if (duration > role.maxSessionDuration) {
      throw new CloudError(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
    }
    if (caller.assumedRole && duration > 3600) {
      throw new CloudError(400, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
    }
    const credentials = await issueSession(accountId, { roleName: role.roleName, roleId: role.roleId, sessionName }, duration, {
      callerAccount: caller.accountId,
      callerArns,
      ...(externalId !== undefined ? { externalId } : {}),
      ...(caller.assumedRole ? { parentAccessKeyId: caller.accessKeyId } : {}),
    });
    return {
      Credentials: {
        AccessKeyId: credentials.accessKeyId,
        SecretAccessKey: credentials.secretAccessKey,
        SessionToken: credentials.sessionToken,
        Expiration: credentials.expiration.toISOString(),
      },
      AssumedRoleUser: { AssumedRoleId: `${role.roleId}:${sessionName}`, Arn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${sessionName}` },
      PackedPolicySize: 0,
    };
  },
});
