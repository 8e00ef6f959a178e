import { CreateBucketCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, ListObjectsV2Command, PutBucketCorsCommand, type S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

// A browser uploads a dataset from an HTML form with a presigned POST (the SDK's
// createPresignedPost, SigV4): the form's policy decides what may be uploaded, and nothing the
// policy refuses is stored.
let cloud: TestCloud;
let s3: S3Client;
const Bucket = "form-uploads";

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await cloud.close();
});

async function post(
  fields: Record<string, string>,
  file: string | Blob,
  { bucket = Bucket, filename = "data.csv", headers = {} }: { bucket?: string; filename?: string; headers?: Record<string, string> } = {},
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append("file", typeof file === "string" ? new Blob([file]) : file, filename);
  return fetch(`${cloud.endpoint}/${bucket}`, { method: "POST", body: form, headers, redirect: "manual" });
}

const keysIn = async (Prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket, Prefix }))).Contents ?? []).map((o) => o.Key);

it("stores the file a presigned POST allows, with its type, metadata and tags", async () => {
  const { fields } = await createPresignedPost(s3, {
    Bucket,
    Key: "uploads/${filename}",
    Conditions: [
      ["starts-with", "$key", "uploads/"],
      ["content-length-range", 1, 1024],
      ["starts-with", "$Content-Type", "text/"],
      ["eq", "$x-amz-meta-owner", "data team"],
      ["starts-with", "$tagging", ""],
    ],
    Fields: { "Content-Type": "text/csv", "x-amz-meta-owner": "data team" },
    Expires: 600,
  });
  const tagging = "<Tagging><TagSet><Tag><Key>source</Key><Value>form</Value></Tag></TagSet></Tagging>";
  const answer = await post({ ...fields, tagging }, "id,segment\n1,a\n", { filename: "segments.csv" });
  expect(answer.status).toBe(204);
  expect(answer.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);

  const stored = await s3.send(new GetObjectCommand({ Bucket, Key: "uploads/segments.csv" }));
  expect(await stored.Body!.transformToString()).toBe("id,segment\n1,a\n");
  expect(stored.ContentType).toBe("text/csv");
  expect(stored.Metadata).toEqual({ owner: "data team" });
  expect(stored.ETag).toBe(answer.headers.get("etag"));
  expect((await s3.send(new GetObjectTaggingCommand({ Bucket, Key: "uploads/segments.csv" }))).TagSet).toEqual([{ Key: "source", Value: "form" }]);
});

it("refuses what the policy does not allow, and stores nothing", async () => {
  const { fields } = await createPresignedPost(s3, { Bucket, Key: "limited/file.csv", Conditions: [["content-length-range", 0, 10]], Expires: 600 });
  const tooBig = await post(fields, "x".repeat(11));
  expect(tooBig.status).toBe(400);
  expect(await tooBig.text()).toContain("<Code>EntityTooLarge</Code>");

  const otherKey = await post({ ...fields, key: "elsewhere/file.csv" }, "x");
  expect(otherKey.status).toBe(403);
  expect(await otherKey.text()).toContain("Policy Condition failed");

  const extraField = await post({ ...fields, "x-amz-meta-unsigned": "yes" }, "x");
  expect(extraField.status).toBe(403);
  expect(await extraField.text()).toContain("Extra input fields: x-amz-meta-unsigned");

  const forged = await post({ ...fields, "X-Amz-Signature": "0".repeat(64) }, "x");
  expect(forged.status).toBe(403);
  expect(await forged.text()).toContain("<Code>SignatureDoesNotMatch</Code>");

  const { fields: expired } = await createPresignedPost(s3, { Bucket, Key: "limited/file.csv", Expires: -60 });
  expect((await post(expired, "x")).status).toBe(403);

  expect(await keysIn("limited/")).toEqual([]);
  expect(await keysIn("elsewhere/")).toEqual([]);
});

it("lets no one upload into another organization's bucket, signed or anonymous", async () => {
  const other = await cloud.s3("org-b");
  const { fields } = await createPresignedPost(other, { Bucket, Key: "intruder.csv", Expires: 600 });
  expect((await post(fields, "x")).status).toBe(403);
  const anonymous = await post({ key: "anonymous.csv" }, "x");
  expect(anonymous.status).toBe(403);
  expect(await anonymous.text()).toContain("<Code>AccessDenied</Code>");
  expect((await post({ key: "x.csv" }, "x", { bucket: "no-such-bucket-here" })).status).toBe(404);
  expect(await keysIn("")).not.toContain("intruder.csv");
  expect(await keysIn("")).not.toContain("anonymous.csv");
});

it("answers as success_action_status and success_action_redirect ask, and carries the bucket's CORS headers", async () => {
  await s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [{ AllowedOrigins: ["https://console.example"], AllowedMethods: ["POST"], ExposeHeaders: ["ETag"] }] } }));
  const created = await createPresignedPost(s3, { Bucket, Key: "status/created.csv", Fields: { success_action_status: "201" }, Expires: 600 });
  const answer = await post(created.fields, "a,b\n", { headers: { Origin: "https://console.example" } });
  expect(answer.status).toBe(201);
  expect(answer.headers.get("access-control-allow-origin")).toBe("https://console.example");
  const xml = await answer.text();
  expect(xml).toContain("<Key>status/created.csv</Key>");
  expect(xml).toContain(`<Bucket>${Bucket}</Bucket>`);

  const redirect = "https://console.example/datasets/uploaded";
  const redirected = await createPresignedPost(s3, { Bucket, Key: "status/redirected.csv", Fields: { success_action_redirect: redirect }, Expires: 600 });
  const moved = await post(redirected.fields, "a,b\n");
  expect(moved.status).toBe(303);
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "status/redirected.csv" }));
  expect(moved.headers.get("location")).toBe(`${redirect}?bucket=${Bucket}&key=status%2Fredirected.csv&etag=${encodeURIComponent(head.ETag!)}`);
});

it("accepts the older HMAC-SHA1 policy signature, and checks a declared checksum", async () => {
  const { accessKeyId, secretAccessKey } = await cloud.credentials("org-a");
  const policy = Buffer.from(
    JSON.stringify({ expiration: new Date(Date.now() + 600_000).toISOString(), conditions: [{ bucket: Bucket }, ["starts-with", "$key", "v2/"], ["content-length-range", 0, 100]] }),
  ).toString("base64");
  const signature = createHmac("sha1", secretAccessKey).update(policy).digest("base64");
  const fields = { key: "v2/file.txt", AWSAccessKeyId: accessKeyId, policy, signature };
  const sha256 = "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="; // of "abc"
  expect((await post({ ...fields, "x-amz-checksum-sha256": sha256.replace("u", "v") }, "abc")).status).toBe(400);
  expect(await keysIn("v2/")).toEqual([]);
  expect((await post({ ...fields, "x-amz-checksum-sha256": sha256 }, "abc")).status).toBe(204);
  expect((await post({ ...fields, signature: createHmac("sha1", "wrong").update(policy).digest("base64") }, "abc")).status).toBe(403);
});

it("refuses a malformed form or policy with a 400, not an error", async () => {
  const { accessKeyId, secretAccessKey } = await cloud.credentials("org-a");
  const signed = (document: string) => {
    const policy = Buffer.from(document).toString("base64");
    return { key: "bad/file.csv", AWSAccessKeyId: accessKeyId, policy, signature: createHmac("sha1", secretAccessKey).update(policy).digest("base64") };
  };
  const future = new Date(Date.now() + 600_000).toISOString();
  for (const document of ["{not json", JSON.stringify({ expiration: future }), JSON.stringify({ expiration: "tomorrow", conditions: [] }), JSON.stringify({ expiration: future, conditions: [{}] })]) {
    const refused = await post(signed(document), "x");
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain("<Code>InvalidPolicyDocument</Code>");
  }
  const broken = await fetch(`${cloud.endpoint}/${Bucket}`, { method: "POST", headers: { "Content-Type": "multipart/form-data; boundary=xyz" }, body: "--xyz\r\nnot a part" });
  expect(broken.status).toBe(400);
  expect(await broken.text()).toContain("<Code>MalformedPOSTRequest</Code>");
  expect(await keysIn("bad/")).toEqual([]);
});
