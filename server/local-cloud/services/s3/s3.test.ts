import fs from "node:fs";
import path from "node:path";
import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketEncryptionCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketEncryptionCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

let cloud: TestCloud;
let a: S3Client;
let b: S3Client;

beforeAll(async () => {
  cloud = await startTestCloud();
  a = await cloud.s3("org-a");
  b = await cloud.s3("org-b");
  await a.send(new CreateBucketCommand({ Bucket: "org-a-data" }));
});
afterAll(async () => {
  await cloud.close();
});

async function errorOf(promise: Promise<unknown>): Promise<S3ServiceException & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as S3ServiceException;
  }
  throw new Error("expected the call to fail");
}

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

describe("identity", () => {
  it("tells each organization its own account", async () => {
    const identity = await (await cloud.sts("org-b")).send(new GetCallerIdentityCommand({}));
    expect(identity).toMatchObject({ Account: "222222222222", Arn: "arn:aws:iam::222222222222:root", UserId: "222222222222" });
  });
});

describe("objects", () => {
  it("stores and returns an object with its metadata, ETag and checksum", async () => {
    const body = "customer_id,age_group\n1,25-34\n";
    const put = await a.send(new PutObjectCommand({ Bucket: "org-a-data", Key: "raw/customers.csv", Body: body, ContentType: "text/csv", Metadata: { source: "crm" } }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(put.ChecksumCRC32).toBeTruthy();
    const got = await a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "raw/customers.csv" }));
    expect(await got.Body!.transformToString()).toBe(body);
    expect(got).toMatchObject({ ContentType: "text/csv", ContentLength: body.length, Metadata: { source: "crm" }, ETag: put.ETag });
    const head = await a.send(new HeadObjectCommand({ Bucket: "org-a-data", Key: "raw/customers.csv" }));
    expect(head.ContentLength).toBe(body.length);
  });

  it("accepts a streamed body sent aws-chunked with a trailing checksum", async () => {
    const parts = [Buffer.from("hello "), Buffer.from("streamed "), Buffer.from("world")];
    await a.send(new PutObjectCommand({ Bucket: "org-a-data", Key: "streamed.txt", Body: Readable.from(parts), ContentLength: 20 }));
    const got = await a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "streamed.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello streamed world");
    expect(got.ETag).toBe(`"${md5("hello streamed world")}"`);
  });

  it("refuses a body whose checksum does not match, and keeps the old object", async () => {
    const error = await errorOf(a.send(new PutObjectCommand({ Bucket: "org-a-data", Key: "streamed.txt", Body: "tampered", ChecksumCRC32: "AAAAAA==" })));
    expect(error.name).toBe("BadDigest");
    const got = await a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "streamed.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello streamed world");
  });

  it("serves byte ranges", async () => {
    const got = await a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "streamed.txt", Range: "bytes=6-13" }));
    expect(got.ContentRange).toBe("bytes 6-13/20");
    expect(await got.Body!.transformToString()).toBe("streamed");
    const tail = await a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "streamed.txt", Range: "bytes=-5" }));
    expect(await tail.Body!.transformToString()).toBe("world");
    expect((await errorOf(a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "streamed.txt", Range: "bytes=50-60" })))).name).toBe("InvalidRange");
  });

  it("copies and deletes objects, one or many", async () => {
    await a.send(new CopyObjectCommand({ Bucket: "org-a-data", Key: "copy/streamed.txt", CopySource: "org-a-data/streamed.txt" }));
    const copied = await a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "copy/streamed.txt" }));
    expect(await copied.Body!.transformToString()).toBe("hello streamed world");
    await a.send(new DeleteObjectCommand({ Bucket: "org-a-data", Key: "copy/streamed.txt" }));
    expect((await errorOf(a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "copy/streamed.txt" })))).name).toBe("NoSuchKey");
    for (const key of ["tmp/1", "tmp/2", "tmp/3"]) await a.send(new PutObjectCommand({ Bucket: "org-a-data", Key: key, Body: key }));
    const result = await a.send(new DeleteObjectsCommand({ Bucket: "org-a-data", Delete: { Objects: [{ Key: "tmp/1" }, { Key: "tmp/2" }, { Key: "tmp/3" }] } }));
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(["tmp/1", "tmp/2", "tmp/3"]);
  });

  it("keeps keys with dots, slashes and odd characters as keys, never as paths", async () => {
    const keys = ["../../../etc/passwd", "a/../../b", "spaces and+plus%20", "ünïcode/ключ/鍵", "..", "/leading-slash"];
    for (const key of keys) await a.send(new PutObjectCommand({ Bucket: "org-a-data", Key: key, Body: `body of ${key}` }));
    for (const key of keys) {
      const got = await a.send(new GetObjectCommand({ Bucket: "org-a-data", Key: key }));
      expect(await got.Body!.transformToString()).toBe(`body of ${key}`);
    }
    expect(fs.existsSync(path.join(cloud.dataDir, "..", "etc"))).toBe(false);
    const outside = fs.readdirSync(cloud.dataDir);
    expect(outside.filter((name) => !["local-cloud", "local-cloud-secret"].includes(name))).toEqual([]);
    const tooLong = await errorOf(a.send(new PutObjectCommand({ Bucket: "org-a-data", Key: "k".repeat(1025), Body: "x" })));
    expect(tooLong.name).toBe("KeyTooLongError");
  });
});

describe("listing", () => {
  beforeAll(async () => {
    await a.send(new CreateBucketCommand({ Bucket: "org-a-listing" }));
    const keys = [...Array.from({ length: 23 }, (_, i) => `logs/2026/${String(i).padStart(2, "0")}.json`), "logs/readme.txt", "data/a.csv", "data/b.csv", "top.txt"];
    await Promise.all(keys.map((Key) => a.send(new PutObjectCommand({ Bucket: "org-a-listing", Key, Body: Key }))));
  });

  it("pages through keys in order with continuation tokens", async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await a.send(new ListObjectsV2Command({ Bucket: "org-a-listing", Prefix: "logs/2026/", MaxKeys: 10, ContinuationToken: token }));
      seen.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
      pages++;
    } while (token);
    expect(pages).toBe(3);
    expect(seen).toEqual(Array.from({ length: 23 }, (_, i) => `logs/2026/${String(i).padStart(2, "0")}.json`));
    // max-keys=0 asks for nothing and gets nothing, untruncated, as S3 answers it.
    const none = await a.send(new ListObjectsV2Command({ Bucket: "org-a-listing", MaxKeys: 0 }));
    expect([none.KeyCount, none.IsTruncated, none.Contents]).toEqual([0, false, undefined]);
  });

  it("folds keys into common prefixes with a delimiter", async () => {
    const page = await a.send(new ListObjectsV2Command({ Bucket: "org-a-listing", Delimiter: "/" }));
    expect(page.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["data/", "logs/"]);
    expect(page.Contents?.map((o) => o.Key)).toEqual(["top.txt"]);
    const first = await a.send(new ListObjectsV2Command({ Bucket: "org-a-listing", Delimiter: "/", MaxKeys: 1 }));
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["data/"]);
    const second = await a.send(new ListObjectsV2Command({ Bucket: "org-a-listing", Delimiter: "/", MaxKeys: 1, ContinuationToken: first.NextContinuationToken }));
    expect(second.CommonPrefixes?.map((p) => p.Prefix)).toEqual(["logs/"]);
  });
});

describe("presigned URLs", () => {
  it("accepts presigned GET and PUT URLs until they expire", async () => {
    const putUrl = await getSignedUrl(a, new PutObjectCommand({ Bucket: "org-a-data", Key: "presigned.txt" }), { expiresIn: 60 });
    expect((await fetch(putUrl, { method: "PUT", body: "via presigned PUT" })).status).toBe(200);
    const getUrl = await getSignedUrl(a, new GetObjectCommand({ Bucket: "org-a-data", Key: "presigned.txt" }), { expiresIn: 60 });
    const response = await fetch(getUrl);
    expect(await response.text()).toBe("via presigned PUT");
    const tampered = getUrl.replace("presigned.txt", "streamed.txt");
    const refused = await fetch(tampered);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("<Code>SignatureDoesNotMatch</Code>");
    const expired = await getSignedUrl(a, new GetObjectCommand({ Bucket: "org-a-data", Key: "presigned.txt" }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 2 * 60 * 60 * 1000),
    });
    const late = await fetch(expired);
    expect(late.status).toBe(403);
    expect(await late.text()).toContain("Request has expired");
  });
});

describe("buckets", () => {
  it("records versioning and encryption and reports them back", async () => {
    expect((await a.send(new GetBucketVersioningCommand({ Bucket: "org-a-data" }))).Status).toBeUndefined();
    await a.send(new PutBucketVersioningCommand({ Bucket: "org-a-data", VersioningConfiguration: { Status: "Enabled" } }));
    expect((await a.send(new GetBucketVersioningCommand({ Bucket: "org-a-data" }))).Status).toBe("Enabled");
    const defaults = await a.send(new GetBucketEncryptionCommand({ Bucket: "org-a-data" }));
    expect(defaults.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("AES256");
    await a.send(
      new PutBucketEncryptionCommand({
        Bucket: "org-a-data",
        ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/cleanrooms" } }] },
      }),
    );
    const kms = await a.send(new GetBucketEncryptionCommand({ Bucket: "org-a-data" }));
    expect(kms.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault).toEqual({ SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/cleanrooms" });
  });

  it("refuses invalid bucket names as S3 does", async () => {
    for (const name of ["ab", "Upper-Case", "under_score", "a..b", "192.168.0.1", "-start", "xn--bucket", "x".repeat(64)]) {
      const error = await errorOf(a.send(new CreateBucketCommand({ Bucket: name })));
      expect([name, error.name]).toEqual([name, "InvalidBucketName"]);
    }
  });

  it("refuses to delete a bucket that still holds objects", async () => {
    await a.send(new CreateBucketCommand({ Bucket: "org-a-scratch" }));
    await a.send(new PutObjectCommand({ Bucket: "org-a-scratch", Key: "x", Body: "x" }));
    expect((await errorOf(a.send(new DeleteBucketCommand({ Bucket: "org-a-scratch" })))).name).toBe("BucketNotEmpty");
    await a.send(new DeleteObjectCommand({ Bucket: "org-a-scratch", Key: "x" }));
    await a.send(new DeleteBucketCommand({ Bucket: "org-a-scratch" }));
    expect((await errorOf(a.send(new HeadBucketCommand({ Bucket: "org-a-scratch" })))).$metadata.httpStatusCode).toBe(404);
  });
});

describe("accounts", () => {
  it("keeps one account's buckets and objects from every other account", async () => {
    const attempts: (() => Promise<unknown>)[] = [
      () => b.send(new GetObjectCommand({ Bucket: "org-a-data", Key: "raw/customers.csv" })),
      () => b.send(new HeadObjectCommand({ Bucket: "org-a-data", Key: "raw/customers.csv" })),
      () => b.send(new PutObjectCommand({ Bucket: "org-a-data", Key: "planted.csv", Body: "x" })),
      () => b.send(new DeleteObjectCommand({ Bucket: "org-a-data", Key: "raw/customers.csv" })),
      () => b.send(new ListObjectsV2Command({ Bucket: "org-a-data" })),
      () => b.send(new HeadBucketCommand({ Bucket: "org-a-data" })),
      () => b.send(new DeleteBucketCommand({ Bucket: "org-a-data" })),
      () => b.send(new GetBucketVersioningCommand({ Bucket: "org-a-data" })),
      () => b.send(new CopyObjectCommand({ Bucket: "org-a-data", Key: "stolen.csv", CopySource: "org-a-data/raw/customers.csv" })),
    ];
    for (const attempt of attempts) expect((await errorOf(attempt())).$metadata.httpStatusCode).toBe(403);
    await b.send(new CreateBucketCommand({ Bucket: "org-b-data" }));
    const copyOut = await errorOf(b.send(new CopyObjectCommand({ Bucket: "org-b-data", Key: "stolen.csv", CopySource: "org-a-data/raw/customers.csv" })));
    expect(copyOut.name).toBe("AccessDenied");
    expect((await b.send(new ListBucketsCommand({}))).Buckets?.map((x) => x.Name)).toEqual(["org-b-data"]);
    expect((await errorOf(b.send(new CreateBucketCommand({ Bucket: "org-a-data" })))).name).toBe("BucketAlreadyExists");
    // us-east-1 keeps S3's legacy answer to re-creating one's own bucket (success); elsewhere 409.
    await a.send(new CreateBucketCommand({ Bucket: "org-a-data" }));
    await a.send(new CreateBucketCommand({ Bucket: "org-a-ireland", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
    expect((await errorOf(a.send(new CreateBucketCommand({ Bucket: "org-a-ireland", CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })))).name).toBe("BucketAlreadyOwnedByYou");
  });

  it("answers wrong keys, wrong signatures and unsigned requests as S3 does", async () => {
    const { accessKeyId } = await cloud.credentials("org-a");
    const wrongSecret = new S3Client({ endpoint: cloud.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId, secretAccessKey: "not-the-secret" } });
    expect((await errorOf(wrongSecret.send(new ListBucketsCommand({})))).name).toBe("SignatureDoesNotMatch");
    const unknown = new S3Client({ endpoint: cloud.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "AKIAUNKNOWNKEY000000", secretAccessKey: "x" } });
    expect((await errorOf(unknown.send(new ListBucketsCommand({})))).name).toBe("InvalidAccessKeyId");
    const anonymous = await fetch(`${cloud.endpoint}/org-a-data/raw/customers.csv`);
    expect(anonymous.status).toBe(403);
    // A bucket that does not exist is said so before access is refused, as S3 does.
    const missing = await fetch(`${cloud.endpoint}/no-such-bucket-here/raw/customers.csv`);
    expect([missing.status, /<Code>([^<]+)/.exec(await missing.text())?.[1]]).toEqual([404, "NoSuchBucket"]);
    expect(await anonymous.text()).toContain("<Code>AccessDenied</Code>");
  });
});
