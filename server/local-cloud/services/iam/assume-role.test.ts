import { CreateRoleCommand, DeleteRoleCommand, GetRoleCommand, IAMClient, ListRolesCommand, UpdateAssumeRolePolicyCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { CreateBucketCommand, ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessKeyForAccount } from "@/server/local-keys/access-keys";
import { startTestCloud, type TestCloud } from "../../testing";
import { callerKey } from "../../sigv4/verify";

// STS AssumeRole against roles created through IAM, as a console in aws mode uses them: the
// organization (org-b) trusts the console's account (here org-a's) with an external id; nobody
// else, and nothing else, gets its credentials.
let cloud: TestCloud;
let iamB: IAMClient;
let stsA: STSClient;
let stsOther: STSClient;
const externalId = "cleanrooms-3f9a1c";
const trustConsole = (account: string, id = externalId) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": id } } }],
  });

beforeAll(async () => {
  cloud = await startTestCloud();
  const as = async (accountId: string) => {
    const key = await accessKeyForAccount({ accountId });
    return { endpoint: cloud.endpoint, region: "us-east-1", credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } };
  };
  iamB = new IAMClient(await as("222222222222"));
  stsA = new STSClient(await as("111111111111"));
  stsOther = new STSClient(await as("333333333333"));
  await iamB.send(new CreateRoleCommand({ RoleName: "CleanRoomsConsole", AssumeRolePolicyDocument: trustConsole("111111111111"), Description: "The console acts for us" }));
});
afterAll(() => cloud.close());

const assume = (sts: STSClient, input: Partial<ConstructorParameters<typeof AssumeRoleCommand>[0]> = {}) =>
  sts.send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::222222222222:role/CleanRoomsConsole", RoleSessionName: "console", ExternalId: externalId, ...input }));
const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.fail("should have been refused"),
    (e: { name: string; message: string; $metadata?: { httpStatusCode?: number } }) => e,
  );

describe("IAM roles", () => {
  it("keeps a role with its trust policy, URL-encoded as IAM returns it", async () => {
    const { Role } = await iamB.send(new GetRoleCommand({ RoleName: "cleanroomsconsole" }));
    expect(Role?.Arn).toBe("arn:aws:iam::222222222222:role/CleanRoomsConsole");
    expect(Role?.RoleId).toMatch(/^AROA[A-Z2-7]{17}$/);
    expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(trustConsole("111111111111"));
    expect(Role?.MaxSessionDuration).toBe(3600);
    expect((await iamB.send(new ListRolesCommand({}))).Roles?.map((r) => r.RoleName)).toEqual(["CleanRoomsConsole"]);
  });

  it("refuses a second role of the same name in any letter case, and a policy that is not one", async () => {
    const same = await errorOf(iamB.send(new CreateRoleCommand({ RoleName: "CLEANROOMSCONSOLE", AssumeRolePolicyDocument: trustConsole("111111111111") })));
    expect([same.name, same.$metadata?.httpStatusCode]).toEqual(["EntityAlreadyExistsException", 409]);
    const malformed = await errorOf(iamB.send(new CreateRoleCommand({ RoleName: "Broken", AssumeRolePolicyDocument: "{not json" })));
    expect(malformed.name).toBe("MalformedPolicyDocumentException");
    const badName = await errorOf(iamB.send(new CreateRoleCommand({ RoleName: "no spaces allowed", AssumeRolePolicyDocument: trustConsole("111111111111") })));
    expect(badName.message).toMatch(/at 'roleName' failed to satisfy constraint/);
    const missing = await errorOf(iamB.send(new GetRoleCommand({ RoleName: "Nobody" })));
    expect([missing.name, missing.$metadata?.httpStatusCode]).toEqual(["NoSuchEntityException", 404]);
  });

  it("keeps each account's roles to itself", async () => {
    const key = await accessKeyForAccount({ accountId: "333333333333" });
    const iamOther = new IAMClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials: key });
    expect((await iamOther.send(new ListRolesCommand({}))).Roles ?? []).toEqual([]);
    expect((await errorOf(iamOther.send(new DeleteRoleCommand({ RoleName: "CleanRoomsConsole" })))).name).toBe("NoSuchEntityException");
  });
});

describe("STS AssumeRole", () => {
  it("gives the trusted caller temporary credentials that act for the role's account", async () => {
    const { Credentials, AssumedRoleUser } = await assume(stsA, { DurationSeconds: 900 });
    expect(Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(890_000);
    expect(Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(900_000);
    expect(AssumedRoleUser?.Arn).toBe("arn:aws:sts::222222222222:assumed-role/CleanRoomsConsole/console");
    const credentials = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
    const asRole = { endpoint: cloud.endpoint, region: "us-east-1", credentials };
    const identity = await new STSClient(asRole).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: "222222222222", Arn: AssumedRoleUser?.Arn });
    expect(identity.UserId).toMatch(/^AROA[A-Z2-7]{17}:console$/);
    // What the session creates belongs to the role's account.
    await new S3Client({ ...asRole, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: "made-through-the-role" }));
    const owned = await (await cloud.s3("org-b")).send(new ListBucketsCommand({}));
    expect(owned.Buckets?.map((b) => b.Name)).toContain("made-through-the-role");
  });

  it("refuses a wrong or missing external id, an untrusted caller and a role that does not exist alike", async () => {
    const denied = /^User: arn:aws:iam::\d{12}:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::222222222222:role\//;
    for (const refused of [
      () => assume(stsA, { ExternalId: "cleanrooms-guess" }),
      () => assume(stsA, { ExternalId: undefined }),
      () => assume(stsOther),
      () => assume(stsA, { RoleArn: "arn:aws:iam::222222222222:role/NoSuchRole" }),
      () => assume(stsA, { RoleArn: "arn:aws:iam::222222222222:role/other/CleanRoomsConsole" }),
    ]) {
      const error = await errorOf(refused());
      expect([error.name, error.$metadata?.httpStatusCode]).toEqual(["AccessDenied", 403]);
      expect(error.message).toMatch(denied);
    }
  });

  it("applies an explicit Deny over an Allow, and the role's longest session", async () => {
    const tooLong = await errorOf(assume(stsA, { DurationSeconds: 7200 }));
    expect(tooLong.message).toMatch(/exceeds the MaxSessionDuration/);
    const withDeny = JSON.parse(trustConsole("111111111111")) as { Statement: unknown[] };
    withDeny.Statement.push({ Effect: "Deny", Principal: { AWS: "111111111111" }, Action: "sts:*" });
    await iamB.send(new UpdateAssumeRolePolicyCommand({ RoleName: "CleanRoomsConsole", PolicyDocument: JSON.stringify(withDeny) }));
    try {
      expect((await errorOf(assume(stsA))).name).toBe("AccessDenied");
    } finally {
      await iamB.send(new UpdateAssumeRolePolicyCommand({ RoleName: "CleanRoomsConsole", PolicyDocument: trustConsole("111111111111") }));
    }
    expect((await assume(stsA)).Credentials?.AccessKeyId).toBeTruthy();
  });

  it("accepts temporary credentials only with their session token, and only until they expire", async () => {
    const { Credentials } = await assume(stsA);
    const withoutToken = new STSClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey! } });
    expect((await errorOf(withoutToken.send(new GetCallerIdentityCommand({})))).name).toBe("InvalidClientTokenId");
    const key = await callerKey(Credentials!.AccessKeyId!, Credentials!.SessionToken!);
    expect(key.accountId).toBe("222222222222");
    await expect(callerKey(Credentials!.AccessKeyId!, Credentials!.SessionToken!, Credentials!.Expiration!.getTime())).rejects.toMatchObject({ problem: "token_expired" });
    await expect(callerKey(Credentials!.AccessKeyId!, "a".repeat(88))).rejects.toMatchObject({ problem: "bad_token" });
  });

  it("stops trusting once the role is deleted", async () => {
    await iamB.send(new CreateRoleCommand({ RoleName: "ShortLived", AssumeRolePolicyDocument: trustConsole("111111111111") }));
    expect((await assume(stsA, { RoleArn: "arn:aws:iam::222222222222:role/ShortLived" })).Credentials).toBeTruthy();
    await iamB.send(new DeleteRoleCommand({ RoleName: "ShortLived" }));
    expect((await errorOf(assume(stsA, { RoleArn: "arn:aws:iam::222222222222:role/ShortLived" }))).name).toBe("AccessDenied");
  });
});
