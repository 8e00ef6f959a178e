import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { CreateConfiguredTableCommand, GetCollaborationCommand } from "@aws-sdk/client-cleanrooms";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { AppError } from "@/lib/errors";
import { startTestCloud, type TestCloud } from "@/server/local-cloud/testing";
import { awsClientsFor } from "./clients";
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

  it("refuses aws mode until organizations can have AWS credentials of their own", async () => {
    vi.stubEnv("CLEANROOMS_MODE", "aws");
    try {
      await expect(awsClientsFor({ awsAccountId: "111111111111" })).rejects.toThrow(/AWS mode needs each organization's AWS credentials/);
    } finally {
      vi.stubEnv("CLEANROOMS_MODE", "local");
    }
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
