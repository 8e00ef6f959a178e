import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CreateConfiguredTableCommand, GetCollaborationCommand } from "@aws-sdk/client-cleanrooms";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { ListCollaborationsCommand } from "@aws-sdk/client-cleanrooms";
import { eq } from "drizzle-orm";
import { consoleAccessPolicies, roleNames } from "@/lib/iam-policies";
import { getDb } from "@/server/db/client";
import { organizationAwsAccess } from "@/server/db/schema";
import { stsSessions } from "@/server/local-cloud/store/schema";
import { accessKeyForAccount } from "@/server/local-keys/access-keys";
import { awsAccessOf, updateAwsAccess } from "@/server/organizations/aws-access";
import { getOrganizationBySlug } from "@/server/organizations/store";
import { awsClientsFor } from "./clients";
import { organizationResources } from "./roles";
import { appErrorOf, awsCall } from "./errors";

// The console's clients against a real local cloud over loopback: each organization signs as its
// own account, and the SDK's errors become what a form shows.
let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

describe("awsClientsFor", () => {
  it("signs as the organization's own account, with keys from the store", async () => {
    for (const slug of ["org-a", "org-b"]) {
      const { accountId } = await cloud.credentials(slug);
      const clients = await awsClientsFor({ awsAccountId: accountId });
      expect((await clients.sts.send(new GetCallerIdentityCommand({}))).Account).toBe(accountId);
    }
  });

  it("keeps one organization's buckets from another", async () => {
    const a = await awsClientsFor({ awsAccountId: (await cloud.credentials("org-a")).accountId });
    const b = await awsClientsFor({ awsAccountId: (await cloud.credentials("org-b")).accountId });
    await a.s3.send(new CreateBucketCommand({ Bucket: "org-a-console-test" }));
    const refused = await awsCall("Creating the bucket", () => b.s3.send(new CreateBucketCommand({ Bucket: "org-a-console-test" }))).catch((e: AppError) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).code).toBe("conflict");
  });
});

describe("awsClientsFor in aws mode, against the local cloud as AWS", () => {
  const consoleAccount = "999999999999";
  let orgB: { id: string; accountId: string };
  let roleArn: string;

  beforeAll(async () => {
    // The console's own credentials (the default chain reads them from the environment), and
    // AWS_ENDPOINT_URL pointing every SDK client at the local cloud, as an operator would set them.
    const key = await accessKeyForAccount({ accountId: consoleAccount });
    vi.stubEnv("AWS_ACCESS_KEY_ID", key.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", key.secretAccessKey);
    vi.stubEnv("AWS_ENDPOINT_URL", cloud.endpoint);
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const organization = (await getOrganizationBySlug({ slug: "org-b" }))!;
    orgB = { id: organization.id, accountId: organization.awsAccountId };
    // Organization B creates the console's role, trusting the console's account with its external id.
    const access = await awsAccessOf(orgB.id);
    const trust = consoleAccessPolicies(organizationResources({ awsAccountId: orgB.accountId }, "us-east-1"), { accountId: consoleAccount, externalId: access.externalId }).trustPolicy;
    const created = await new IAMClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials: await accessKeyForAccount({ accountId: orgB.accountId }) }).send(
      new CreateRoleCommand({ RoleName: roleNames.console, AssumeRolePolicyDocument: JSON.stringify(trust) }),
    );
    roleArn = created.Role!.Arn!;
    vi.stubEnv("CLEANROOMS_MODE", "aws");
  });
  afterAll(() => vi.stubEnv("CLEANROOMS_MODE", "local"));

  const sessions = async () => (await (await getDb()).select().from(stsSessions)).length;

  it("refuses an organization whose admin has not chosen a role yet", async () => {
    await expect(awsClientsFor({ awsAccountId: orgB.accountId })).rejects.toThrow(/not set up yet: an admin chooses the role/);
  });

  it("assumes the organization's role once, and signs every client with those credentials until they near expiry", async () => {
    await updateAwsAccess(orgB.id, { credentialSource: "assume_role", roleArn, region: "us-east-1" });
    const before = await sessions();
    const clients = await awsClientsFor({ awsAccountId: orgB.accountId });
    const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: orgB.accountId, Arn: `arn:aws:sts::${orgB.accountId}:assumed-role/${roleNames.console}/cleanrooms-console` });
    await clients.s3.send(new CreateBucketCommand({ Bucket: "org-b-through-aws-mode" }));
    const again = await awsClientsFor({ awsAccountId: orgB.accountId });
    await Promise.all([again.sts.send(new GetCallerIdentityCommand({})), again.cleanrooms.send(new ListCollaborationsCommand({}))]);
    expect(await sessions()).toBe(before + 1);
  });

  it("says why when the role does not trust the console with this organization's external id", async () => {
    const access = await awsAccessOf(orgB.id);
    await (await getDb()).update(organizationAwsAccess).set({ externalId: "cleanrooms-someone-elses-id" }).where(eq(organizationAwsAccess.organizationId, orgB.id));
    try {
      const clients = await awsClientsFor({ awsAccountId: orgB.accountId });
      const refused = await awsCall("Listing", () => clients.sts.send(new GetCallerIdentityCommand({}))).catch((e: AppError) => e);
      expect(refused).toBeInstanceOf(AppError);
      expect((refused as AppError).message).toMatch(/^The console could not assume arn:aws:iam::222222222222:role\/cleanrooms-console-access: User: arn:aws:iam::999999999999:root is not authorized/);
    } finally {
      await (await getDb()).update(organizationAwsAccess).set({ externalId: access.externalId }).where(eq(organizationAwsAccess.organizationId, orgB.id));
    }
  });

  it("lets the server's own credentials act only for the account they belong to", async () => {
    const orgA = (await getOrganizationBySlug({ slug: "org-a" }))!;
    await updateAwsAccess(orgA.id, { credentialSource: "default_chain", roleArn: "", region: "us-east-1" });
    await expect(awsClientsFor({ awsAccountId: orgA.awsAccountId })).rejects.toThrow(/belong to account 999999999999, not to your organization's account 111111111111/);
  });
});

describe("appErrorOf", () => {
  it("puts a ValidationException's fieldList beside the form's fields, and keeps AWS's message", async () => {
    const a = await awsClientsFor({ awsAccountId: (await cloud.credentials("org-a")).accountId });
    const error = await a.cleanrooms
      .send(new CreateConfiguredTableCommand({ name: "n".repeat(200), tableReference: { glue: { databaseName: "d", tableName: "t" } }, allowedColumns: ["Not Valid"], analysisMethod: "DIRECT_QUERY" }))
      .catch((e: unknown) => e);
    const shown = appErrorOf(error, { name: "tableName", allowedColumns: "columns" });
    expect(shown.code).toBe("invalid");
    expect(shown.message).toBeTruthy();
    expect(Object.keys(shown.fieldErrors ?? {}).sort()).toEqual(["columns", "tableName"]);
  });

  it("says not found for a resource that does not exist (or belongs to someone else)", async () => {
    const a = await awsClientsFor({ awsAccountId: (await cloud.credentials("org-a")).accountId });
    const error = await a.cleanrooms.send(new GetCollaborationCommand({ collaborationIdentifier: "00000000-0000-4000-8000-000000000000" })).catch((e: unknown) => e);
    expect(appErrorOf(error).code).toBe("not_found");
  });

  it("hides failures that are not AWS answers behind a generic message", async () => {
    const shown = appErrorOf(new TypeError("fetch failed: connect ECONNREFUSED 127.0.0.1:4566"), {}, "Uploading the file");
    expect(shown.message).toMatch(/^Uploading the file could not be completed/);
    expect(shown.message).not.toContain("ECONNREFUSED");
  });
});
