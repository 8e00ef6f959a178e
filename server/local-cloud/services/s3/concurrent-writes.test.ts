import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";
import { blobRoot } from "./blobs";

// Fifty writers to one key at once: the key ends holding exactly one of the bodies, whole, with
// its own ETag, and no replaced body is left behind on disk; with versioning, fifty versions.
for (const store of ["pglite", "postgres"] as const) {
  describe(`concurrent PutObject [${store}]`, () => {
    let cloud: TestCloud;
    afterAll(async () => {
      await cloud.close();
    });

    it("leaves exactly one complete object", async () => {
      cloud = await startTestCloud({ store });
      const s3: S3Client = await cloud.s3("org-a");
      await s3.send(new CreateBucketCommand({ Bucket: "race" }));
      const bodies = Array.from({ length: 50 }, (_, i) => `writer ${i}: ${"x".repeat(10_000 + i * 97)}`);
      await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: "race", Key: "one-key", Body }))));
      const object = await s3.send(new GetObjectCommand({ Bucket: "race", Key: "one-key" }));
      const text = await object.Body!.transformToString();
      expect(bodies).toContain(text);
      expect(object.ETag).toBe(`"${createHash("md5").update(text).digest("hex")}"`);
      const files = fs.readdirSync(path.join(blobRoot(), "blobs"), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      expect(files).toHaveLength(1);

      // With versioning, each of fifty writers leaves a version, and exactly one is the latest.
      await s3.send(new PutBucketVersioningCommand({ Bucket: "race", VersioningConfiguration: { Status: "Enabled" } }));
      await Promise.all(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: "race", Key: "versioned", Body }))));
      const { Versions } = await s3.send(new ListObjectVersionsCommand({ Bucket: "race", Prefix: "versioned" }));
      expect(Versions).toHaveLength(50);
      expect(Versions!.filter((v) => v.IsLatest)).toHaveLength(1);
      expect(new Set(Versions!.map((v) => v.VersionId)).size).toBe(50);
    }, 60_000);
  });
}
