import { CreateRoleCommand, DeleteRoleCommand, IAMClient, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type Credentials } from "@aws-sdk/client-sts";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { GetDatabasesCommand, GlueClient } from "@aws-sdk/client-glue";
import { CleanRoomsClient, ListCollaborationsCommand } from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessKeyForAccount } from "@/server/local-keys/access-keys";
import { startTestCloud, type TestCloud } from "../../testing";

// Temporary credentials that outlive their grant, tried as an attacker who once held a role
// would: after the role is deleted, deleted and re-created under its name, after its trust policy
// stops naming the caller or asks for another external id, and through a chain of roles. Every
// service must refuse the session at once, on both stores.

const trust = (principal: string, externalId?: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole", ...(externalId ? { Condition: { StringEquals: { "sts:ExternalId": externalId } } } : {}) }],
  });

for (const store of ["pglite", "postgres"] as const) {
  describe(`sessions of roles that no longer grant them [${store}]`, () => {
    let cloud: TestCloud;
    let iamB: IAMClient;
    let stsA: STSClient;
    const client = async (accountId: string) => {
      const key = await accessKeyForAccount({ accountId });
      return { endpoint: cloud.endpoint, region: "us-east-1", credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } };
    };
    beforeAll(async () => {
      cloud = await startTestCloud({ store });
      iamB = new IAMClient(await client("222222222222"));
      stsA = new STSClient(await client("111111111111"));
    }, 60_000);
    afterAll(() => cloud.close());

    const as = (credentials: Credentials) => ({
      endpoint: cloud.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: credentials.AccessKeyId!, secretAccessKey: credentials.SecretAccessKey!, sessionToken: credentials.SessionToken! },
    });
    /** What each service answers the session: the status of STS, S3, Glue and Clean Rooms calls. */
    const answers = async (credentials: Credentials) => {
      const status = (promise: Promise<unknown>) =>
        promise.then(
          () => 200,
          (e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode ?? 0,
        );
      const config = as(credentials);
      return [
        await status(new STSClient(config).send(new GetCallerIdentityCommand({}))),
        await status(new S3Client({ ...config, forcePathStyle: true }).send(new ListBucketsCommand({}))),
        await status(new GlueClient(config).send(new GetDatabasesCommand({}))),
        await status(new CleanRoomsClient(config).send(new ListCollaborationsCommand({ memberStatus: "ACTIVE" }))),
      ];
    };
    const assume = async (sts: STSClient, roleName: string, externalId?: string) =>
      (await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::222222222222:role/${roleName}`, RoleSessionName: "attacker", ...(externalId ? { ExternalId: externalId } : {}) }))).Credentials!;
    const ok = [200, 200, 200, 200];
    const refused = (codes: number[]) => codes.every((c) => c === 403 || c === 400);

    it("ends a session when its role is deleted, and a role re-created under the name does not revive it", async () => {
      await iamB.send(new CreateRoleCommand({ RoleName: "Deleted", AssumeRolePolicyDocument: trust("111111111111") }));
      const session = await assume(stsA, "Deleted");
      expect(await answers(session)).toEqual(ok);
      await iamB.send(new DeleteRoleCommand({ RoleName: "Deleted" }));
      expect(refused(await answers(session))).toBe(true);
      await iamB.send(new CreateRoleCommand({ RoleName: "deleted", AssumeRolePolicyDocument: trust("111111111111") }));
      expect(refused(await answers(session))).toBe(true);
      // A new session of the new role works.
      expect(await answers(await assume(stsA, "deleted"))).toEqual(ok);
    });

    it("ends a session when the trust policy stops naming the caller or asks for another external id", async () => {
      await iamB.send(new CreateRoleCommand({ RoleName: "Trusting", AssumeRolePolicyDocument: trust("arn:aws:iam::111111111111:root", "first-id") }));
      const session = await assume(stsA, "Trusting", "first-id");
      expect(await answers(session)).toEqual(ok);
      await iamB.send(new UpdateAssumeRolePolicyCommand({ RoleName: "Trusting", PolicyDocument: trust("333333333333", "first-id") }));
      expect(refused(await answers(session))).toBe(true);
      await iamB.send(new UpdateAssumeRolePolicyCommand({ RoleName: "Trusting", PolicyDocument: trust("111111111111", "second-id") }));
      expect(refused(await answers(session))).toBe(true);
      await iamB.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: "Trusting",
          PolicyDocument: JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Principal: { AWS: "111111111111" }, Action: "sts:AssumeRole" },
              { Effect: "Deny", Principal: { AWS: "111111111111" }, Action: "sts:*" },
            ],
          }),
        }),
      );
      expect(refused(await answers(session))).toBe(true);
    });

    it("ends a chained session when the role it was assumed from stops granting", async () => {
      await iamB.send(new CreateRoleCommand({ RoleName: "First", AssumeRolePolicyDocument: trust("111111111111") }));
      await iamB.send(new CreateRoleCommand({ RoleName: "Second", AssumeRolePolicyDocument: trust("arn:aws:iam::222222222222:role/First") }));
      const first = await assume(stsA, "First");
      const second = await assume(new STSClient(as(first)), "Second");
      expect(await answers(second)).toEqual(ok);
      await iamB.send(new DeleteRoleCommand({ RoleName: "First" }));
      expect(refused(await answers(first))).toBe(true);
      expect(refused(await answers(second))).toBe(true);
    });
  });
}
