import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

// Versioning as S3 does it: with versioning Enabled nothing is lost to an overwrite or a delete;
// Suspended writes take the "null" version; reads, copies and deletes can name a version.
let cloud: TestCloud;
let s3: S3Client;
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.$metadata?.httpStatusCode} ${e.name}`,
  );
const read = async (Bucket: string, Key: string, VersionId?: string) => (await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body!.transformToString();

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
});
afterAll(async () => {
  await cloud.close();
});

describe("an Enabled bucket", () => {
  const Bucket = "kept";
  beforeAll(async () => {
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "before versioning" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
  });

  it("keeps every overwrite and delete as a version, readable by id", async () => {
    const one = await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "one" }));
    const two = await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "two" }));
    expect(one.VersionId).toBeTruthy();
    expect(two.VersionId).not.toBe(one.VersionId);
    expect(await read(Bucket, "k")).toBe("two");
    expect(await read(Bucket, "k", one.VersionId)).toBe("one");
    expect(await read(Bucket, "k", "null")).toBe("before versioning");
    expect((await s3.send(new HeadObjectCommand({ Bucket, Key: "k" }))).VersionId).toBe(two.VersionId);

    const removed = await s3.send(new DeleteObjectCommand({ Bucket, Key: "k" }));
    expect(removed.DeleteMarker).toBe(true);
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "k" })))).toBe("404 NoSuchKey");
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "k", VersionId: removed.VersionId })))).toBe("405 MethodNotAllowed");
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(0);

    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(versions.DeleteMarkers!.map((m) => [m.VersionId, m.IsLatest])).toEqual([[removed.VersionId, true]]);
    expect(versions.Versions!.map((v) => [v.VersionId, v.IsLatest, v.Size])).toEqual([
      [two.VersionId, false, 3],
      [one.VersionId, false, 3],
      ["null", false, 17],
    ]);

    // Deleting the marker brings the newest version back.
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "k", VersionId: removed.VersionId }));
    expect(await read(Bucket, "k")).toBe("two");
    // Deleting the current version by id makes the one before it current.
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "k", VersionId: two.VersionId }));
    expect(await read(Bucket, "k")).toBe("one");
    expect(await failure(s3.send(new DeleteObjectCommand({ Bucket, Key: "k", VersionId: "no-such-version" })))).toBe("400 InvalidArgument");
  });

  it("copies a named version, deletes many by version, and is not empty while versions remain", async () => {
    const old = await s3.send(new PutObjectCommand({ Bucket, Key: "src", Body: "old" }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "src", Body: "new" }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket, Key: "restored", CopySource: `${Bucket}/src?versionId=${old.VersionId}` }));
    expect(copy.CopySourceVersionId).toBe(old.VersionId);
    expect(await read(Bucket, "restored")).toBe("old");

    const { Deleted } = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: "src", VersionId: old.VersionId }, { Key: "restored" }] } }));
    expect(Deleted!.map((d) => [d.Key, d.VersionId, d.DeleteMarker])).toEqual([
      ["src", old.VersionId, undefined],
      ["restored", undefined, true],
    ]);
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "src", VersionId: old.VersionId })))).toBe("404 NoSuchVersion");
    expect(await failure(s3.send(new DeleteBucketCommand({ Bucket })))).toBe("409 BucketNotEmpty");
  });

  it("keeps fifty concurrent writes to one key as fifty versions", async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => s3.send(new PutObjectCommand({ Bucket, Key: "busy", Body: `writer ${i}` }))));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: "busy" }));
    expect(versions.Versions).toHaveLength(50);
    expect(versions.Versions!.filter((v) => v.IsLatest)).toHaveLength(1);
    const pages = [await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: "busy", MaxKeys: 20 }))];
    while (pages.at(-1)!.IsTruncated)
      pages.push(await s3.send(new ListObjectVersionsCommand({ Bucket, Prefix: "busy", MaxKeys: 20, KeyMarker: pages.at(-1)!.NextKeyMarker, VersionIdMarker: pages.at(-1)!.NextVersionIdMarker })));
    expect(pages.flatMap((p) => p.Versions!.map((v) => v.VersionId))).toEqual(versions.Versions!.map((v) => v.VersionId));
  });
});

describe("a Suspended bucket", () => {
  it("writes and deletes the null version, keeping the versions made while Enabled", async () => {
    const Bucket = "suspended";
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
    const kept = await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "kept" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Suspended" } }));
    // The write makes the "null" version; S3 reports a version id for writes to Enabled buckets only.
    expect((await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "null one" }))).VersionId).toBeUndefined();
    await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "null two" }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket }));
    expect(versions.Versions!.map((v) => v.VersionId)).toEqual(["null", kept.VersionId]);
    expect(await read(Bucket, "k")).toBe("null two");
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: "k" }));
    expect([marker.DeleteMarker, marker.VersionId]).toEqual([true, "null"]);
    expect(await read(Bucket, "k", kept.VersionId)).toBe("kept");
  });
});
