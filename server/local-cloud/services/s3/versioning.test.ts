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

describe("listing versions with a delimiter", () => {
  it("folds keys into common prefixes, counts each prefix once against max-keys, and pages past them", async () => {
    const Bucket = "folded";
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
    for (const Key of ["a.csv", "a.csv", "photos/2024/x.jpg", "photos/2025/y.jpg", "photos/z.jpg", "videos/v.mp4", "zeta"]) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
    await s3.send(new DeleteObjectCommand({ Bucket, Key: "zeta" }));

    const all = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: "/" }));
    expect(all.CommonPrefixes!.map((p) => p.Prefix)).toEqual(["photos/", "videos/"]);
    expect(all.Versions!.map((v) => [v.Key, v.IsLatest])).toEqual([
      ["a.csv", true],
      ["a.csv", false],
      ["zeta", false],
    ]);
    expect(all.DeleteMarkers!.map((m) => [m.Key, m.IsLatest])).toEqual([["zeta", true]]);
    expect(all.Delimiter).toBe("/");

    const inside = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: "/", Prefix: "photos/" }));
    expect(inside.CommonPrefixes!.map((p) => p.Prefix)).toEqual(["photos/2024/", "photos/2025/"]);
    expect(inside.Versions!.map((v) => v.Key)).toEqual(["photos/z.jpg"]);

    // Two entries a page: a page may end on a version (resumed by key and version id) or on a prefix.
    const seen: string[] = [];
    let page = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: "/", MaxKeys: 2 }));
    for (;;) {
      const entries = [
        ...(page.Versions ?? []).map((v) => `${v.Key}@${v.IsLatest}`),
        ...(page.DeleteMarkers ?? []).map((m) => `${m.Key}#marker`),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
      ];
      expect(entries.length).toBeLessThanOrEqual(2);
      seen.push(...entries);
      if (!page.IsTruncated) break;
      page = await s3.send(new ListObjectVersionsCommand({ Bucket, Delimiter: "/", MaxKeys: 2, KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker }));
    }
    expect(seen.sort()).toEqual(["a.csv@false", "a.csv@true", "photos/", "videos/", "zeta#marker", "zeta@false"].sort());
  });

  it("resumes within a key that has more versions than a batch", async () => {
    const Bucket = "deep";
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
    for (let i = 0; i < 1100; i += 50) await Promise.all(Array.from({ length: 50 }, () => s3.send(new PutObjectCommand({ Bucket, Key: "deep", Body: "v" }))));
    await s3.send(new PutObjectCommand({ Bucket, Key: "later", Body: "v" }));
    const first = await s3.send(new ListObjectVersionsCommand({ Bucket, MaxKeys: 1000 }));
    expect([first.Versions!.length, first.IsTruncated, first.NextKeyMarker]).toEqual([1000, true, "deep"]);
    const rest = await s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker: first.NextKeyMarker, VersionIdMarker: first.NextVersionIdMarker }));
    expect(rest.Versions!.map((v) => v.Key)).toEqual([...Array(100).fill("deep"), "later"]);
    expect(new Set([...first.Versions!, ...rest.Versions!].map((v) => v.VersionId)).size).toBe(1101);
  }, 60_000);
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
