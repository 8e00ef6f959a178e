import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CleanRoomsClient, CreateCollaborationCommand, GetCollaborationCommand } from "@aws-sdk/client-cleanrooms";
import { afterAll, expect, it } from "vitest";
import { openDatabase, setProcessDatabase } from "@/server/db/client";
import { seedDemo } from "@/server/seed/demo";
import { getOrganizationBySlug } from "@/server/organizations/store";
import { accessKeyForAccount } from "./access-keys";
import { startLocalCloud } from "./server";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-restart-"));
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

async function boot() {
  process.env.DATA_DIR = dataDir;
  process.env.LOCAL_CLOUD_SECRET = "restart-test-secret-0123456789abcdef";
  await setProcessDatabase(await openDatabase({ pgliteDir: path.join(dataDir, "pglite") }));
  await seedDemo();
  const cloud = await startLocalCloud({ port: 0 });
  const org = await getOrganizationBySlug({ slug: "org-a" });
  const key = await accessKeyForAccount({ accountId: org!.awsAccountId });
  const config = { endpoint: `http://127.0.0.1:${cloud.port}`, region: "us-east-1", credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } };
  return { cloud, s3: new S3Client({ ...config, forcePathStyle: true }), cleanrooms: new CleanRoomsClient(config) };
}

it("keeps buckets, objects, keys and collaborations across a restart", async () => {
  const first = await boot();
  await first.s3.send(new CreateBucketCommand({ Bucket: "org-a-durable" }));
  await first.s3.send(new PutObjectCommand({ Bucket: "org-a-durable", Key: "k.txt", Body: "still here" }));
  const { collaboration } = await first.cleanrooms.send(
    new CreateCollaborationCommand({ name: "durable", description: "d", creatorDisplayName: "A", creatorMemberAbilities: [], members: [], queryLogStatus: "DISABLED" }),
  );
  await first.cloud.close();
  await setProcessDatabase(undefined);

  const second = await boot();
  const object = await second.s3.send(new GetObjectCommand({ Bucket: "org-a-durable", Key: "k.txt" }));
  expect(await object.Body!.transformToString()).toBe("still here");
  expect((await second.cleanrooms.send(new GetCollaborationCommand({ collaborationIdentifier: collaboration!.id! }))).collaboration?.name).toBe("durable");
  await second.cloud.close();
  await setProcessDatabase(undefined);
}, 60_000);
