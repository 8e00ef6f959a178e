import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { CreateBucketCommand, GetObjectCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signedFetch, startTestCloud, type TestCloud } from "../../testing";
import { implementedOperations } from "./routes";

// Every sub-resource in S3's service model (botocore's, as installed on this machine), at bucket
// and object level, either reaches a real handler or is refused with NotImplemented, and never
// changes the object or bucket it names.

interface ModelOperation {
  name: string;
  method: string;
  level: "bucket" | "object";
  query: Record<string, string>;
}

function s3Model(): ModelOperation[] {
  const botocore = execFileSync("python3", ["-c", "import botocore, os; print(os.path.dirname(botocore.__file__))"], { encoding: "utf8" }).trim();
  const file = path.join(botocore, "data", "s3", "2006-03-01", "service-2.json.gz");
  const model = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString("utf8")) as { operations: Record<string, { name: string; http: { method: string; requestUri: string } }> };
  return Object.values(model.operations).flatMap((op) => {
    const [uri, query = ""] = op.http.requestUri.split("?");
    if (!query || !uri!.includes("{Bucket}")) return [];
    const pairs = Object.fromEntries(query.split("&").map((p) => [p.split("=")[0]!, p.split("=")[1] ?? ""]));
    return [{ name: op.name, method: op.http.method, level: uri!.includes("{Key+}") ? ("object" as const) : ("bucket" as const), query: pairs }];
  });
}

let cloud: TestCloud;
let s3: S3Client;
const body = "the object's bytes, which no sub-resource request may change";

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
  await s3.send(new CreateBucketCommand({ Bucket: "walk" }));
  await s3.send(new PutObjectCommand({ Bucket: "walk", Key: "target.txt", Body: body, ContentType: "text/plain", Metadata: { owner: "org-a" } }));
});
afterAll(async () => {
  await cloud.close();
});

async function objectState() {
  const object = await s3.send(new GetObjectCommand({ Bucket: "walk", Key: "target.txt" }));
  return { body: await object.Body!.transformToString(), etag: object.ETag, contentType: object.ContentType, metadata: object.Metadata, lastModified: object.LastModified?.getTime() };
}

it("routes every sub-resource of S3's model to a handler or to NotImplemented, leaving the object and bucket as they were", async () => {
  const operations = s3Model();
  expect(operations.length).toBeGreaterThan(80);
  const before = await objectState();
  const seen: string[] = [];
  for (const op of operations) {
    const response = await signedFetch(cloud, "org-a", {
      service: "s3",
      method: op.method,
      path: op.level === "object" ? "/walk/target.txt" : "/walk",
      query: op.query,
      body: op.method === "PUT" || op.method === "POST" ? "<NotWhatTheOperationExpects/>" : "",
    });
    const text = await response.text();
    seen.push(`${op.name} ${response.status}`);
    expect(response.status < 500 || response.status === 501, `${op.name} ${response.status}: ${text.slice(0, 200)}`).toBe(true);
    if (response.status === 501) expect(text, op.name).toContain("<Code>NotImplemented</Code>");
    if (response.status < 300) expect(implementedOperations, `${op.name} answered ${response.status}`).toContain(op.name);
    expect(await objectState(), `${op.name} changed the object`).toEqual(before);
    await s3.send(new HeadBucketCommand({ Bucket: "walk" }));
  }
  // The walk reached the sub-resources we serve, and refused the rest.
  expect(seen).toContain("GetObjectTagging 200");
  expect(seen).toContain("GetBucketAcl 200");
  expect(seen).toContain("PutObjectAcl 400"); // reached its handler, which refuses a body that is no ACL
  expect(seen).toContain("RestoreObject 501");
});

it("refuses an unknown sub-resource and a request naming two, at either level", async () => {
  for (const [pathname, query] of [
    ["/walk/target.txt", { "made-up": "" }],
    ["/walk", { "made-up": "" }],
    ["/walk/target.txt", { tagging: "", acl: "" }],
    ["/walk/target.txt", { tagging: "", uploads: "" }],
  ] as const) {
    for (const method of ["GET", "PUT", "POST", "DELETE"]) {
      const response = await signedFetch(cloud, "org-a", { service: "s3", method, path: pathname, query, body: method === "PUT" || method === "POST" ? "x" : "" });
      expect(response.status, `${method} ${pathname} ${JSON.stringify(query)}`).toBe(501);
    }
  }
  expect((await objectState()).body).toBe(body);
});
