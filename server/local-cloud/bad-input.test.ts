import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedFetch, startTestCloud, type TestCloud } from "./testing";

// Inputs no SDK would send, each answered with the error AWS gives: never a 500, never a crash,
// never a file outside the data directory.
let cloud: TestCloud;

beforeAll(async () => {
  cloud = await startTestCloud();
  await (await cloud.s3("org-a")).send(new CreateBucketCommand({ Bucket: "org-a-bad-input" }));
});
afterAll(async () => {
  await cloud.close();
});

async function errorType(response: Response): Promise<[number, string]> {
  const text = await response.text();
  const fromHeader = response.headers.get("x-amzn-errortype");
  const fromXml = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
  return [response.status, fromHeader ?? fromXml ?? text.slice(0, 80)];
}

describe("Clean Rooms (restJson1)", () => {
  const post = (body: string) => signedFetch(cloud, "org-a", { service: "cleanrooms", method: "POST", path: "/configuredTables", headers: { "content-type": "application/json" }, body });

  it("refuses malformed JSON, wrong types, missing members and unknown enum values", async () => {
    expect(await errorType(await post("{not json"))).toEqual([400, "SerializationException"]);
    expect(await errorType(await post("[1,2]"))).toEqual([400, "ValidationException"]);
    const wrongType = await post(JSON.stringify({ name: 42, tableReference: { glue: { tableName: "t", databaseName: "d" } }, allowedColumns: "a", analysisMethod: "DIRECT_QUERY" }));
    const body = (await wrongType.json()) as { message: string; reason: string; fieldList: { name: string }[] };
    expect(wrongType.status).toBe(400);
    expect(body.reason).toBe("FIELD_VALIDATION_FAILED");
    expect(body.fieldList.map((f) => f.name).sort()).toEqual(["allowedColumns", "name"]);
    const missing = (await (await post(JSON.stringify({ name: "t" }))).json()) as { fieldList: { name: string }[] };
    expect(missing.fieldList.map((f) => f.name).sort()).toEqual(["allowedColumns", "analysisMethod", "tableReference"]);
    const unknownEnum = await post(JSON.stringify({ name: "t", tableReference: { glue: { tableName: "t", databaseName: "d" } }, allowedColumns: ["a"], analysisMethod: "SOMETIMES" }));
    expect(((await unknownEnum.json()) as { message: string }).message).toContain("Member must satisfy enum value set: [DIRECT_QUERY, DIRECT_JOB, MULTIPLE]");
  });

  it("refuses oversized bodies and unknown operations", async () => {
    expect((await errorType(await post(JSON.stringify({ name: "x".repeat(3 * 1024 * 1024) }))))[0]).toBe(413);
    expect(await errorType(await signedFetch(cloud, "org-a", { service: "cleanrooms", method: "GET", path: "/nothing-here" }))).toEqual([404, "UnknownOperationException"]);
  });
});

describe("Glue (awsJson1.1)", () => {
  const call = (target: string, body: string) =>
    signedFetch(cloud, "org-a", { service: "glue", method: "POST", path: "/", headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSGlue.${target}` }, body });

  it("refuses malformed JSON, wrong types and unknown operations", async () => {
    expect(await errorType(await call("GetDatabases", "{"))).toEqual([400, "SerializationException"]);
    expect(await errorType(await call("CreateDatabase", JSON.stringify({ DatabaseInput: { Name: ["x"] } })))).toEqual([400, "ValidationException"]);
    expect(await errorType(await call("GetDatabases", JSON.stringify({ MaxResults: "ten" })))).toEqual([400, "ValidationException"]);
    expect(await errorType(await call("DropEverything", "{}"))).toEqual([400, "UnknownOperationException"]);
    expect(await errorType(await call("GetDatabases", JSON.stringify({ NextToken: "garbage" })))).toEqual([400, "InvalidInputException"]);
  });
});

describe("NUL characters", () => {
  it("are refused anywhere in a path or query, by every service, never with a 500", async () => {
    const requests: Parameters<typeof signedFetch>[2][] = [
      { service: "s3", method: "PUT", path: "/org-a-bad-input/a%00b", body: "x" },
      { service: "s3", method: "GET", path: "/org-a-bad-input/a%00b" },
      { service: "s3", method: "DELETE", path: "/org-a-bad-input/a%00b" },
      { service: "s3", method: "GET", path: "/org-a-bad-input", query: { prefix: "a\u0000" } },
      { service: "s3", method: "GET", path: "/org-a-bad-input", query: { "list-type": "2", "start-after": "\u0000" } },
      { service: "s3", method: "POST", path: "/org-a-bad-input/k%00", query: { uploads: "" } },
      { service: "cleanrooms", method: "GET", path: "/collaborations/a%00b" },
      { service: "cleanrooms", method: "GET", path: "/collaborations", query: { nextToken: "\u0000" } },
    ];
    for (const request of requests) {
      const [status, code] = await errorType(await signedFetch(cloud, "org-a", request));
      expect(status, JSON.stringify(request)).toBe(400);
      expect(code).toMatch(request.service === "s3" ? /InvalidArgument/ : /ValidationException/);
    }
    const glue = await signedFetch(cloud, "org-a", {
      service: "glue",
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSGlue.GetDatabase" },
      body: JSON.stringify({ Name: "a\u0000" }),
    });
    expect(await errorType(glue)).toEqual([400, "ValidationException"]);
  });

  it("and strings that are not Unicode text (lone surrogates) are refused too", async () => {
    const glue = await signedFetch(cloud, "org-a", {
      service: "glue",
      method: "POST",
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AWSGlue.CreateDatabase" },
      body: '{"DatabaseInput": {"Name": "db\\ud800"}}',
    });
    expect(await errorType(glue)).toEqual([400, "ValidationException"]);
  });
});

describe("S3 (restXml)", () => {
  it("refuses malformed XML bodies", async () => {
    const put = (query: Record<string, string>, body: string) => signedFetch(cloud, "org-a", { service: "s3", method: "PUT", path: "/org-a-bad-input", query, body });
    expect(await errorType(await put({ versioning: "" }, "<VersioningConfiguration><Status>Enabled"))).toEqual([400, "MalformedXML"]);
    expect(await errorType(await put({ versioning: "" }, "<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>"))).toEqual([400, "MalformedXML"]);
    expect(await errorType(await put({ encryption: "" }, "not xml at all"))).toEqual([400, "MalformedXML"]);
    const deleteMany = await signedFetch(cloud, "org-a", { service: "s3", method: "POST", path: "/org-a-bad-input", query: { delete: "" }, body: "<Delete><Object><Key>a</Key>" });
    expect(await errorType(deleteMany)).toEqual([400, "MalformedXML"]);
  });

  it("refuses a body that does not match its signed hash, writing nothing", async () => {
    const response = await signedFetch(cloud, "org-a", { service: "s3", method: "PUT", path: "/org-a-bad-input/object", body: "declared", sendBody: "tampered" });
    expect(await errorType(response)).toEqual([400, "XAmzContentSHA256Mismatch"]);
    const read = await signedFetch(cloud, "org-a", { service: "s3", method: "GET", path: "/org-a-bad-input/object" });
    expect(await errorType(read)).toEqual([404, "NoSuchKey"]);
    const tmp = path.join(cloud.dataDir, "local-cloud", "s3", "tmp");
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
  });

  it("checks a large body's digests too (computed off the event loop), writing nothing when one is wrong", async () => {
    const declared = "a".repeat(9 * 1024 * 1024);
    const tampered = `${declared.slice(0, -1)}b`;
    const put = (extra: { headers?: Record<string, string>; sendBody?: string }) =>
      signedFetch(cloud, "org-a", { service: "s3", method: "PUT", path: "/org-a-bad-input/large", body: declared, ...extra });
    expect(await errorType(await put({ sendBody: tampered }))).toEqual([400, "XAmzContentSHA256Mismatch"]);
    expect(await errorType(await put({ headers: { "content-md5": createHash("md5").update(tampered).digest("base64") } }))).toEqual([400, "BadDigest"]);
    expect(await errorType(await put({ headers: { "x-amz-checksum-sha256": createHash("sha256").update(tampered).digest("base64") } }))).toEqual([400, "BadDigest"]);
    const read = await signedFetch(cloud, "org-a", { service: "s3", method: "GET", path: "/org-a-bad-input/large" });
    expect(await errorType(read)).toEqual([404, "NoSuchKey"]);
    const tmp = path.join(cloud.dataDir, "local-cloud", "s3", "tmp");
    expect(fs.existsSync(tmp) ? fs.readdirSync(tmp) : []).toEqual([]);
    // The right digests are accepted, and the ETag is the MD5.
    const ok = await put({ headers: { "content-md5": createHash("md5").update(declared).digest("base64"), "x-amz-checksum-sha256": createHash("sha256").update(declared).digest("base64") } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("etag")).toBe(`"${createHash("md5").update(declared).digest("hex")}"`);
    expect(ok.headers.get("x-amz-checksum-sha256")).toBe(createHash("sha256").update(declared).digest("base64"));
  });

  it("answers unknown subresources with NotImplemented, not a crash", async () => {
    const response = await signedFetch(cloud, "org-a", { service: "s3", method: "GET", path: "/org-a-bad-input", query: { lifecycle: "" } });
    expect(await errorType(response)).toEqual([501, "NotImplemented"]);
  });
});
