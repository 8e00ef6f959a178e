import { execFile } from "node:child_process";
import http from "node:http";
import { promisify } from "node:util";
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectAttributesCommand,
  ListBucketsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signedFetch, startTestCloud, type TestCloud } from "../../testing";

// Edges where S3 answers in a particular way and real clients rely on it (found with Ceph's S3
// conformance suite): Python's boto3 signing with a Date header and sending UTF-8 metadata, an
// Expect header that is not 100-continue, paging of buckets and of a multipart object's parts,
// deletes of versions that are already gone.
const run = promisify(execFile);
let cloud: TestCloud;
let s3: S3Client;
const Bucket = "edges";

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await cloud.close();
});

async function boto3(script: string): Promise<string> {
  const { accessKeyId, secretAccessKey } = await cloud.credentials("org-a");
  const prelude = [
    "import boto3",
    `s3 = boto3.client("s3", endpoint_url="${cloud.endpoint}", aws_access_key_id="${accessKeyId}", aws_secret_access_key="${secretAccessKey}", region_name="us-east-1")`,
  ].join("\n");
  const { stdout } = await run("python3", ["-c", `${prelude}\n${script}`], { timeout: 60_000 });
  return stdout.trim();
}

it("accepts boto3's signature over a Date header, and keeps UTF-8 metadata", async () => {
  const out = await boto3(`
from email.utils import formatdate
def date_header(**kwargs): kwargs["params"]["headers"]["Date"] = formatdate(usegmt=True)
def utf8_metadata(**kwargs): kwargs["params"]["headers"]["x-amz-meta-owner"] = "Zo\\u00eb"
s3.meta.events.register("before-call.s3.PutObject", date_header)
s3.meta.events.register("before-call.s3.PutObject", utf8_metadata)
s3.put_object(Bucket="${Bucket}", Key="dated", Body=b"x")
print(s3.get_object(Bucket="${Bucket}", Key="dated")["Metadata"]["owner"])
`);
  expect(out).toBe("Zoë");
  // Beyond Latin-1, the value comes back as S3 writes it: an RFC 2047 encoded word.
  await boto3(`
def city(**kwargs): kwargs["params"]["headers"]["x-amz-meta-city"] = "\\u6771\\u4eac"
s3.meta.events.register("before-call.s3.PutObject", city)
s3.put_object(Bucket="${Bucket}", Key="tokyo", Body=b"x")
`);
  const head = await signedFetch(cloud, "org-a", { service: "s3", method: "HEAD", path: `/${Bucket}/tokyo` });
  expect(head.headers.get("x-amz-meta-city")).toBe(`=?UTF-8?B?${Buffer.from("東京").toString("base64")}?=`);
});

it("ignores an Expect header that is not 100-continue, as S3 does", async () => {
  // fetch will not send Expect, so the request goes over node:http with the SDK's signature.
  const signed = await signedFetch(cloud, "org-a", { service: "s3", method: "GET", path: `/${Bucket}/expected` });
  expect(signed.status).toBe(404);
  const status = await new Promise<number>((resolve, reject) => {
    const url = new URL(cloud.endpoint);
    const req = http.request({ host: url.hostname, port: url.port, method: "PUT", path: `/${Bucket}/expected`, headers: { Expect: "200-ok", "Content-Length": "1" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end("x");
  });
  // Unsigned, so refused, but by S3 (403) rather than by the HTTP layer (417).
  expect(status).toBe(403);
});

it("refuses a Content-MD5 that is not an MD5 as InvalidDigest, before reading the body", async () => {
  const response = await signedFetch(cloud, "org-a", { service: "s3", method: "PUT", path: `/${Bucket}/digest`, headers: { "content-md5": "short" }, body: "x" });
  expect(response.status).toBe(400);
  expect(await response.text()).toContain("<Code>InvalidDigest</Code>");
});

it("pages ListBuckets with max-buckets and a continuation token", async () => {
  for (const name of ["page-a", "page-b", "page-c"]) await s3.send(new CreateBucketCommand({ Bucket: name }));
  const first = await s3.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: "page-" }));
  expect(first.Buckets!.map((b) => b.Name)).toEqual(["page-a", "page-b"]);
  const second = await s3.send(new ListBucketsCommand({ MaxBuckets: 2, Prefix: "page-", ContinuationToken: first.ContinuationToken }));
  expect(second.Buckets!.map((b) => b.Name)).toEqual(["page-c"]);
  expect(second.ContinuationToken).toBeUndefined();
});

it("answers a multipart object's parts a page at a time in GetObjectAttributes", async () => {
  const Key = "three-parts";
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
  const five = Buffer.alloc(5 * 1024 * 1024, 1);
  const parts = [];
  for (const [i, body] of [five, five, Buffer.from("tail")].entries()) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: body }));
    parts.push({ ETag, PartNumber: i + 1 });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: parts } }));
  const page = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ["ObjectParts", "ObjectSize"], MaxParts: 1, PartNumberMarker: "1" }));
  // The SDK types part-number markers as strings.
  expect(page.ObjectSize).toBe(2 * five.length + 4);
  expect(page.ObjectParts).toMatchObject({ TotalPartsCount: 3, PartNumberMarker: "1", NextPartNumberMarker: "2", MaxParts: 1, IsTruncated: true, Parts: [{ PartNumber: 2, Size: five.length }] });
  const rest = await s3.send(new GetObjectAttributesCommand({ Bucket, Key, ObjectAttributes: ["ObjectParts"], PartNumberMarker: "2" }));
  expect(rest.ObjectParts).toMatchObject({ IsTruncated: false, Parts: [{ PartNumber: 3, Size: 4 }] });
});

it("treats deleting a version that is already gone as done, so racing deletes both succeed", async () => {
  const versioned = "edges-versioned";
  await s3.send(new CreateBucketCommand({ Bucket: versioned }));
  await s3.send(new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: "Enabled" } }));
  const { VersionId } = await s3.send(new PutObjectCommand({ Bucket: versioned, Key: "k", Body: "x" }));
  const both = await Promise.all([
    s3.send(new DeleteObjectCommand({ Bucket: versioned, Key: "k", VersionId })),
    s3.send(new DeleteObjectsCommand({ Bucket: versioned, Delete: { Objects: [{ Key: "k", VersionId }] } })),
  ]);
  expect(both[0].VersionId).toBe(VersionId);
  expect(both[1].Deleted).toEqual([{ Key: "k", VersionId }]);
  expect(both[1].Errors ?? []).toEqual([]);
  // An id this store could never have made is still refused.
  await expect(s3.send(new DeleteObjectCommand({ Bucket: versioned, Key: "k", VersionId: "not-a-version" }))).rejects.toMatchObject({ name: "InvalidArgument" });
});
