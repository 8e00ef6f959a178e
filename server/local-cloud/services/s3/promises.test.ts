import { createHash } from "node:crypto";
import http from "node:http";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import {
  AbortMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedFetch, startTestCloud, type TestCloud } from "../../testing";

// What docs/local-cloud.md promises of S3, each checked as a client would meet it.
let cloud: TestCloud;
let s3: S3Client;
const Bucket = "promises";
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.name}`,
  );
const codeOf = async (response: Response) => [response.status, /<Code>([^<]+)/.exec(await response.text())?.[1]];

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
  await s3.send(new CreateBucketCommand({ Bucket }));
  await s3.send(new PutObjectCommand({ Bucket, Key: "doc.txt", Body: "hello", ContentType: "text/plain", Metadata: { team: "growth" } }));
});
afterAll(async () => {
  await cloud.close();
});

describe("requests", () => {
  it("refuses a signature more than fifteen minutes off the clock", async () => {
    const response = await signedFetch(cloud, "org-a", { service: "s3", method: "GET", path: `/${Bucket}/doc.txt`, signingDate: new Date(Date.now() - 20 * 60_000) });
    expect(await codeOf(response)).toEqual([403, "RequestTimeTooSkewed"]);
  });

  it("serves virtual-hosted addressing (bucket.localhost)", async () => {
    const { accessKeyId, secretAccessKey } = await cloud.credentials("org-a");
    const port = new URL(cloud.endpoint).port;
    // bucket.localhost names this machine; the agent resolves it so, whatever the resolver says.
    const lookup = ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) =>
      options.all ? callback(null, [{ address: "127.0.0.1", family: 4 }]) : callback(null, "127.0.0.1", 4)) as unknown as http.AgentOptions["lookup"];
    const requestHandler = new NodeHttpHandler({ httpAgent: new http.Agent({ lookup }) });
    const virtual = new S3Client({ endpoint: `http://localhost:${port}`, region: "us-east-1", forcePathStyle: false, credentials: { accessKeyId, secretAccessKey }, requestHandler });
    expect(await (await virtual.send(new GetObjectCommand({ Bucket, Key: "doc.txt" }))).Body!.transformToString()).toBe("hello");
  });
});

describe("reads", () => {
  it("evaluates conditional headers and applies response-* overrides", async () => {
    const { ETag, LastModified } = await s3.send(new HeadObjectCommand({ Bucket, Key: "doc.txt" }));
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "doc.txt", IfNoneMatch: ETag })))).toBe("304 Unknown");
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "doc.txt", IfMatch: '"0000"' })))).toBe("412 PreconditionFailed");
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "doc.txt", IfModifiedSince: new Date(LastModified!.getTime() + 60_000) })))).toBe("304 Unknown");
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "doc.txt", IfUnmodifiedSince: new Date(LastModified!.getTime() - 60_000) })))).toBe("412 PreconditionFailed");
    const overridden = await s3.send(
      new GetObjectCommand({
        Bucket,
        Key: "doc.txt",
        IfMatch: ETag,
        ResponseContentType: "application/x-custom",
        ResponseContentDisposition: 'attachment; filename="d.txt"',
        ResponseCacheControl: "no-cache",
      }),
    );
    expect([overridden.ContentType, overridden.ContentDisposition, overridden.CacheControl]).toEqual(["application/x-custom", 'attachment; filename="d.txt"', "no-cache"]);
  });

  it("copies with metadata kept (COPY) or replaced (REPLACE)", async () => {
    await s3.send(new CopyObjectCommand({ Bucket, Key: "kept.txt", CopySource: `${Bucket}/doc.txt` }));
    const kept = await s3.send(new HeadObjectCommand({ Bucket, Key: "kept.txt" }));
    expect([kept.ContentType, kept.Metadata]).toEqual(["text/plain", { team: "growth" }]);
    await s3.send(new CopyObjectCommand({ Bucket, Key: "replaced.txt", CopySource: `${Bucket}/doc.txt`, MetadataDirective: "REPLACE", ContentType: "text/csv", Metadata: { team: "risk" } }));
    const replaced = await s3.send(new HeadObjectCommand({ Bucket, Key: "replaced.txt" }));
    expect([replaced.ContentType, replaced.Metadata]).toEqual(["text/csv", { team: "risk" }]);
    // The source's conditions decide whether a copy happens at all.
    const { ETag } = await s3.send(new HeadObjectCommand({ Bucket, Key: "doc.txt" }));
    expect(await failure(s3.send(new CopyObjectCommand({ Bucket, Key: "guarded.txt", CopySource: `${Bucket}/doc.txt`, CopySourceIfMatch: '"0000"' })))).toBe("412 PreconditionFailed");
    expect(await failure(s3.send(new CopyObjectCommand({ Bucket, Key: "guarded.txt", CopySource: `${Bucket}/doc.txt`, CopySourceIfNoneMatch: ETag })))).toBe("412 PreconditionFailed");
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket, Key: "guarded.txt" })))).toBe("404 NotFound");
    await s3.send(new CopyObjectCommand({ Bucket, Key: "guarded.txt", CopySource: `${Bucket}/doc.txt`, CopySourceIfMatch: ETag }));
  });
});

describe("listings", () => {
  beforeAll(async () => {
    for (const key of ["list/a b.txt", "list/b.txt", "list/c+d.txt", "list/é.txt"]) await s3.send(new PutObjectCommand({ Bucket, Key: key, Body: key }));
  });

  it("starts after a key and encodes keys when asked (V2)", async () => {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "list/", StartAfter: "list/b.txt" }));
    expect(page.Contents!.map((o) => o.Key)).toEqual(["list/c+d.txt", "list/é.txt"]);
    const raw = await signedFetch(cloud, "org-a", { service: "s3", method: "GET", path: `/${Bucket}`, query: { "list-type": "2", prefix: "list/", "encoding-type": "url" } });
    const keys = [...(await raw.text()).matchAll(/<Key>([^<]+)<\/Key>/g)].map((m) => m[1]);
    expect(keys).toEqual(["list/a%20b.txt", "list/b.txt", "list/c%2Bd.txt", "list/%C3%A9.txt"]);
  });

  it("pages ListObjects (V1) with markers", async () => {
    const first = await s3.send(new ListObjectsCommand({ Bucket, Prefix: "list/", MaxKeys: 2 }));
    expect([first.Contents!.map((o) => o.Key), first.IsTruncated]).toEqual([["list/a b.txt", "list/b.txt"], true]);
    const rest = await s3.send(new ListObjectsCommand({ Bucket, Prefix: "list/", Marker: "list/b.txt" }));
    expect([rest.Contents!.map((o) => o.Key), rest.IsTruncated]).toEqual([["list/c+d.txt", "list/é.txt"], false]);
  });
});

describe("deletes", () => {
  it("deletes many keys at once, spaces and markup characters in their names included", async () => {
    const keys = [" ", "_ ", " lead", "a&b<c>", "q'\"uote"];
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    const { Deleted, Errors } = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }));
    expect([Deleted!.map((d) => d.Key).sort(), Errors ?? []]).toEqual([[...keys].sort(), []]);
    for (const Key of keys) expect(await failure(s3.send(new HeadObjectCommand({ Bucket, Key })))).toBe("404 NotFound");
  });
});

describe("uploads and checksums", () => {
  it("aborts an upload: its parts are gone and it can no longer be listed", async () => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "aborted" }));
    await s3.send(new UploadPartCommand({ Bucket, Key: "aborted", UploadId, PartNumber: 1, Body: "part" }));
    expect((await s3.send(new ListPartsCommand({ Bucket, Key: "aborted", UploadId }))).Parts!.map((p) => p.PartNumber)).toEqual([1]);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: "aborted", UploadId }));
    expect(await failure(s3.send(new ListPartsCommand({ Bucket, Key: "aborted", UploadId })))).toBe("404 NoSuchUpload");
  });

  it("refuses bodies whose CRC32C, SHA-1 or Content-MD5 does not match, storing nothing", async () => {
    const put = (headers: Record<string, string>) => signedFetch(cloud, "org-a", { service: "s3", method: "PUT", path: `/${Bucket}/checked.txt`, headers, body: "the real body" });
    expect((await codeOf(await put({ "x-amz-checksum-crc32c": "AAAAAA==" })))[0]).toBe(400);
    expect((await codeOf(await put({ "x-amz-checksum-sha1": createHash("sha1").update("another body").digest("base64") })))[0]).toBe(400);
    expect(await codeOf(await put({ "content-md5": createHash("md5").update("another body").digest("base64") }))).toEqual([400, "BadDigest"]);
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket, Key: "checked.txt" })))).toBe("404 NotFound");
    expect((await put({ "content-md5": createHash("md5").update("the real body").digest("base64"), "x-amz-checksum-sha1": createHash("sha1").update("the real body").digest("base64") })).status).toBe(
      200,
    );
  });
});

describe("conditional writes", () => {
  it("writes only when If-Match or If-None-Match holds, deciding against the object there now", async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket, Key: "cond.txt", Body: "one", IfNoneMatch: "*" }));
    expect(await failure(s3.send(new PutObjectCommand({ Bucket, Key: "cond.txt", Body: "two", IfNoneMatch: "*" })))).toBe("412 PreconditionFailed");
    expect(await failure(s3.send(new PutObjectCommand({ Bucket, Key: "cond.txt", Body: "two", IfMatch: '"00000000000000000000000000000000"' })))).toBe("412 PreconditionFailed");
    expect(await failure(s3.send(new PutObjectCommand({ Bucket, Key: "absent.txt", Body: "x", IfMatch: first.ETag })))).toBe("404 NoSuchKey");
    await s3.send(new PutObjectCommand({ Bucket, Key: "cond.txt", Body: "two", IfMatch: first.ETag }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: "cond.txt" }))).Body!.transformToString()).toBe("two");

    // Of ten writers that all ask for a key not to exist yet, exactly one wins.
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => failure(s3.send(new PutObjectCommand({ Bucket, Key: "once.txt", Body: `writer ${i}`, IfNoneMatch: "*" })))));
    expect(outcomes.filter((o) => o === null)).toHaveLength(1);
    expect(outcomes.filter((o) => o === "412 PreconditionFailed")).toHaveLength(9);
  });
});
