import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startChild, type Child } from "@/scripts/bench/child";

// The local cloud runs in a process of its own here, so that its memory is measured alone.
let cloud: Child<{ port: number; credentials: { a: { accessKeyId: string; secretAccessKey: string } } }>;
let s3: S3Client;

beforeAll(async () => {
  cloud = await startChild("scripts/bench/cloud-server.ts");
  s3 = new S3Client({ endpoint: `http://127.0.0.1:${cloud.info.port}`, region: "us-east-1", forcePathStyle: true, credentials: cloud.info.credentials.a });
  await s3.send(new CreateBucketCommand({ Bucket: "org-a-large" }));
}, 60_000);
afterAll(() => cloud?.stop());

it("uploads 200 MB in parts without the server holding the file in memory", async () => {
  const total = 200 * 1024 * 1024;
  const block = Buffer.alloc(1024 * 1024, 7);
  const hash = createHash("md5");
  const source = Readable.from(
    (function* () {
      for (let sent = 0; sent < total; sent += block.length) {
        hash.update(block);
        yield block;
      }
    })(),
  );
  cloud.resetPeak();
  const before = cloud.memory().rss;
  const result = await new Upload({ client: s3, params: { Bucket: "org-a-large", Key: "200mb.bin", Body: source }, partSize: 8 * 1024 * 1024, queueSize: 2 }).done();
  const growth = cloud.memory().peak - before;
  expect(result.ETag).toMatch(/^"[0-9a-f]{32}-25"$/);
  expect((await s3.send(new HeadObjectCommand({ Bucket: "org-a-large", Key: "200mb.bin" }))).ContentLength).toBe(total);
  // Parts stream through to disk: the server grows by the parts in flight, never by the object.
  expect(growth).toBeLessThan(100 * 1024 * 1024);
  const got = await s3.send(new GetObjectCommand({ Bucket: "org-a-large", Key: "200mb.bin" }));
  const check = createHash("md5");
  for await (const chunk of got.Body as Readable) check.update(chunk as Buffer);
  expect(check.digest("hex")).toBe(hash.digest("hex"));
}, 180_000);
