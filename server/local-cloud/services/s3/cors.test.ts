import { CreateBucketCommand, DeleteBucketCorsCommand, GetBucketCorsCommand, PutBucketCorsCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

// A page on https://console.example uploads straight to a bucket with a presigned URL: the
// browser's preflight is answered from the bucket's CORS rules, and the upload's answer carries
// the headers the page needs (its origin, and the ETag exposed).
let cloud: TestCloud;
let s3: S3Client;
const Bucket = "uploads";
const origin = "https://console.example";

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await cloud.close();
});

const preflight = (path: string, headers: Record<string, string>) => fetch(`${cloud.endpoint}${path}`, { method: "OPTIONS", headers });

it("answers preflights and uploads from allowed origins only, as the bucket's rules say", async () => {
  expect((await preflight(`/${Bucket}/file.csv`, { Origin: origin, "Access-Control-Request-Method": "PUT" })).status).toBe(403);

  await s3.send(
    new PutBucketCorsCommand({
      Bucket,
      CORSConfiguration: {
        CORSRules: [{ AllowedOrigins: ["https://*.example"], AllowedMethods: ["PUT", "GET"], AllowedHeaders: ["content-type", "x-amz-*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 600 }],
      },
    }),
  );
  const rules = (await s3.send(new GetBucketCorsCommand({ Bucket }))).CORSRules!;
  expect(rules).toEqual([{ AllowedOrigins: ["https://*.example"], AllowedMethods: ["PUT", "GET"], AllowedHeaders: ["content-type", "x-amz-*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 600 }]);

  const allowed = await preflight(`/${Bucket}/file.csv`, { Origin: origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "Content-Type, x-amz-checksum-crc32" });
  expect(allowed.status).toBe(200);
  expect(allowed.headers.get("access-control-allow-origin")).toBe(origin);
  expect(allowed.headers.get("access-control-allow-methods")).toBe("PUT, GET");
  expect(allowed.headers.get("access-control-allow-headers")).toBe("Content-Type, x-amz-checksum-crc32");
  expect(allowed.headers.get("access-control-max-age")).toBe("600");

  for (const refused of <Record<string, string>[]>[
    { Origin: "https://evil.test", "Access-Control-Request-Method": "PUT" },
    { Origin: origin, "Access-Control-Request-Method": "DELETE" },
    { Origin: origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization-override" },
  ]) {
    const response = await preflight(`/${Bucket}/file.csv`, refused);
    expect(response.status, JSON.stringify(refused)).toBe(403);
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  }

  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: "file.csv", ContentType: "text/csv" }), { expiresIn: 300 });
  const upload = await fetch(url, { method: "PUT", headers: { Origin: origin, "Content-Type": "text/csv" }, body: "id\n1\n" });
  expect(upload.status).toBe(200);
  expect(upload.headers.get("access-control-allow-origin")).toBe(origin);
  expect(upload.headers.get("access-control-expose-headers")).toBe("ETag");
  expect(upload.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);

  await s3.send(new DeleteBucketCorsCommand({ Bucket }));
  expect(await s3.send(new GetBucketCorsCommand({ Bucket })).catch((e: Error) => e.name)).toBe("NoSuchCORSConfiguration");
  expect((await preflight(`/${Bucket}/file.csv`, { Origin: origin, "Access-Control-Request-Method": "PUT" })).status).toBe(403);
});

it("refuses CORS rules S3 would refuse", async () => {
  const put = (rule: Record<string, unknown>) => s3.send(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [rule as never] } })).catch((e: Error) => e.name);
  expect(await put({ AllowedOrigins: ["*"], AllowedMethods: ["PATCH"] })).toBe("InvalidRequest");
  expect(await put({ AllowedOrigins: ["https://*.*.example"], AllowedMethods: ["GET"] })).toBe("InvalidRequest");
  expect(await put({ AllowedOrigins: [], AllowedMethods: ["GET"] })).toBe("MalformedXML");
});
