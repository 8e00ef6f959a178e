import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetBucketAclCommand,
  GetBucketTaggingCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketAclCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";

// Tags and ACL reads through the SDK, as a client uses them: tags travel with PutObject, copies
// and multipart uploads, change without touching the object, and follow S3's limits.
let cloud: TestCloud;
let s3: S3Client;
let other: S3Client;
const Bucket = "tags";

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
  other = await cloud.s3("org-b");
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await cloud.close();
});

const tagsOf = async (Key: string) => Object.fromEntries(((await s3.send(new GetObjectTaggingCommand({ Bucket, Key }))).TagSet ?? []).map((t) => [t.Key, t.Value]));
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => `${error.$metadata?.httpStatusCode} ${error.name}`,
  );

describe("object tags", () => {
  it("are set with PutObject, counted on reads, and replaced or deleted without touching the object", async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: "a.csv", Body: "id\n1\n", Tagging: "team=growth&classification=pii%20low" }));
    expect(await tagsOf("a.csv")).toEqual({ team: "growth", classification: "pii low" });
    const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "a.csv" }));
    expect((await s3.send(new GetObjectCommand({ Bucket, Key: "a.csv" }))).TagCount).toBe(2);

    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: "a.csv", Tagging: { TagSet: [{ Key: "team", Value: "risk" }] } }));
    expect(await tagsOf("a.csv")).toEqual({ team: "risk" });
    await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: "a.csv" }));
    expect(await tagsOf("a.csv")).toEqual({});
    const after = await s3.send(new GetObjectCommand({ Bucket, Key: "a.csv" }));
    expect(await after.Body!.transformToString()).toBe("id\n1\n");
    expect([after.ETag, after.LastModified?.getTime(), after.TagCount]).toEqual([head.ETag, head.LastModified?.getTime(), undefined]);

    // A new version of the object starts with the tags its request gives.
    await s3.send(new PutObjectTaggingCommand({ Bucket, Key: "a.csv", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
    await s3.send(new PutObjectCommand({ Bucket, Key: "a.csv", Body: "id\n2\n" }));
    expect(await tagsOf("a.csv")).toEqual({});
  });

  it("are copied by CopyObject unless the copy replaces them, and carried through multipart uploads", async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: "src", Body: "x", Tagging: "a=1" }));
    await s3.send(new CopyObjectCommand({ Bucket, Key: "copied", CopySource: `${Bucket}/src` }));
    expect(await tagsOf("copied")).toEqual({ a: "1" });
    await s3.send(new CopyObjectCommand({ Bucket, Key: "replaced", CopySource: `${Bucket}/src`, TaggingDirective: "REPLACE", Tagging: "b=2" }));
    expect(await tagsOf("replaced")).toEqual({ b: "2" });

    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "big", Tagging: "source=upload" }));
    const part = await s3.send(new UploadPartCommand({ Bucket, Key: "big", UploadId, PartNumber: 1, Body: "only part" }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: "big", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
    expect(await tagsOf("big")).toEqual({ source: "upload" });
  });

  it("follow S3's limits, and refuse a missing object or another account", async () => {
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
    expect(await failure(s3.send(new PutObjectTaggingCommand({ Bucket, Key: "src", Tagging: { TagSet: eleven } })))).toBe("400 InvalidTag");
    expect(
      await failure(
        s3.send(
          new PutObjectTaggingCommand({
            Bucket,
            Key: "src",
            Tagging: {
              TagSet: [
                { Key: "a", Value: "1" },
                { Key: "a", Value: "2" },
              ],
            },
          }),
        ),
      ),
    ).toBe("400 InvalidTag");
    expect(await failure(s3.send(new PutObjectTaggingCommand({ Bucket, Key: "src", Tagging: { TagSet: [{ Key: "aws:owner", Value: "1" }] } })))).toBe("400 InvalidTag");
    expect(await failure(s3.send(new PutObjectCommand({ Bucket, Key: "bad", Body: "x", Tagging: `k=${"v".repeat(257)}` })))).toBe("400 InvalidTag");
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "bad" })))).toBe("404 NoSuchKey");
    expect(await failure(s3.send(new PutObjectTaggingCommand({ Bucket, Key: "missing", Tagging: { TagSet: [] } })))).toBe("404 NoSuchKey");
    expect(await failure(other.send(new GetObjectTaggingCommand({ Bucket, Key: "src" })))).toBe("403 AccessDenied");
    expect(await tagsOf("src")).toEqual({ a: "1" });
  });
});

describe("bucket tags and ACLs", () => {
  it("set, read and delete a bucket's tag set; a bucket without one says NoSuchTagSet", async () => {
    expect(await failure(s3.send(new GetBucketTaggingCommand({ Bucket })))).toBe("404 NoSuchTagSet");
    await s3.send(new PutBucketTaggingCommand({ Bucket, Tagging: { TagSet: [{ Key: "cost-center", Value: "42" }] } }));
    expect((await s3.send(new GetBucketTaggingCommand({ Bucket }))).TagSet).toEqual([{ Key: "cost-center", Value: "42" }]);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket }));
    expect(await failure(s3.send(new GetBucketTaggingCommand({ Bucket })))).toBe("404 NoSuchTagSet");
  });

  it("report the owner's full control, to the owner only", async () => {
    for (const acl of [await s3.send(new GetBucketAclCommand({ Bucket })), await s3.send(new GetObjectAclCommand({ Bucket, Key: "src" }))]) {
      expect(acl.Owner?.ID).toBe("111111111111");
      expect(acl.Grants).toEqual([{ Grantee: { ID: "111111111111", DisplayName: "111111111111", Type: "CanonicalUser" }, Permission: "FULL_CONTROL" }]);
    }
    expect(await failure(other.send(new GetBucketAclCommand({ Bucket })))).toBe("403 AccessDenied");
    // Asking for the ACL there is succeeds and changes nothing; asking for more is refused, not
    // ignored, as S3 refuses it with ACLs disabled (the default for buckets since April 2023).
    await s3.send(new PutBucketAclCommand({ Bucket, ACL: "private" }));
    const owner = { ID: "111111111111", DisplayName: "111111111111" };
    await s3.send(new PutObjectAclCommand({ Bucket, Key: "src", AccessControlPolicy: { Owner: owner, Grants: [{ Grantee: { ...owner, Type: "CanonicalUser" }, Permission: "FULL_CONTROL" }] } }));
    expect(await failure(s3.send(new PutObjectAclCommand({ Bucket, Key: "src", ACL: "public-read" })))).toBe("400 AccessControlListNotSupported");
    expect(await failure(s3.send(new PutBucketAclCommand({ Bucket, GrantRead: "id=222222222222" })))).toBe("400 AccessControlListNotSupported");
    const everyone = { Type: "Group" as const, URI: "http://acs.amazonaws.com/groups/global/AllUsers" };
    expect(await failure(s3.send(new PutBucketAclCommand({ Bucket, AccessControlPolicy: { Owner: owner, Grants: [{ Grantee: everyone, Permission: "READ" }] } })))).toBe(
      "400 AccessControlListNotSupported",
    );
    // Nor can a public ACL come in with a new bucket or object.
    expect(await failure(s3.send(new CreateBucketCommand({ Bucket: "public-bucket", ACL: "public-read-write" })))).toBe("400 InvalidBucketAclWithObjectOwnership");
    expect(await failure(s3.send(new PutObjectCommand({ Bucket, Key: "public", Body: "x", ACL: "public-read" })))).toBe("400 AccessControlListNotSupported");
    expect(await failure(s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "public", GrantRead: "id=222222222222" })))).toBe("400 AccessControlListNotSupported");
    expect(await failure(s3.send(new CopyObjectCommand({ Bucket, Key: "public", CopySource: `${Bucket}/src`, ACL: "authenticated-read" })))).toBe("400 AccessControlListNotSupported");
    await s3.send(new PutObjectCommand({ Bucket, Key: "owned", Body: "x", ACL: "bucket-owner-full-control" }));
    expect(await failure(s3.send(new HeadObjectCommand({ Bucket, Key: "public" })))).toBe("404 NotFound");
    expect(await failure(s3.send(new GetObjectAclCommand({ Bucket, Key: "missing" })))).toBe("404 NoSuchKey");
  });
});

describe("version ids", () => {
  it("name nothing but the null version, so a read or delete of another version leaves the object alone", async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: "v", Body: "current" }));
    expect(await failure(s3.send(new GetObjectCommand({ Bucket, Key: "v", VersionId: "3HL4kqtJlcpXroDTDmJ" })))).toBe("404 NoSuchVersion");
    expect(await failure(s3.send(new DeleteObjectCommand({ Bucket, Key: "v", VersionId: "3HL4kqtJlcpXroDTDmJ" })))).toBe("400 InvalidArgument");
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: "v", VersionId: "null" }))).Body!.transformToString()).toBe("current");
  });
});

describe("tags of a versioned object", () => {
  it("belong to each version: set, read and deleted by version id, the current version by default", async () => {
    const Bucket = "tags-versioned";
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: "Enabled" } }));
    const old = await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "old", Tagging: "era=old" }));
    const current = await s3.send(new PutObjectCommand({ Bucket, Key: "k", Body: "new", Tagging: "era=new" }));
    const tags = async (VersionId?: string) => {
      const answer = await s3.send(new GetObjectTaggingCommand({ Bucket, Key: "k", VersionId }));
      return [answer.VersionId, Object.fromEntries((answer.TagSet ?? []).map((t) => [t.Key, t.Value]))];
    };
    expect(await tags()).toEqual([current.VersionId, { era: "new" }]);
    expect(await tags(old.VersionId)).toEqual([old.VersionId, { era: "old" }]);

    const put = await s3.send(new PutObjectTaggingCommand({ Bucket, Key: "k", VersionId: old.VersionId, Tagging: { TagSet: [{ Key: "era", Value: "archived" }] } }));
    expect(put.VersionId).toBe(old.VersionId);
    expect(await tags(old.VersionId)).toEqual([old.VersionId, { era: "archived" }]);
    expect(await tags()).toEqual([current.VersionId, { era: "new" }]);
    expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: "k", VersionId: old.VersionId }))).Body!.transformToString()).toBe("old");

    await s3.send(new DeleteObjectTaggingCommand({ Bucket, Key: "k", VersionId: current.VersionId }));
    expect(await tags()).toEqual([current.VersionId, {}]);
    expect(await tags(old.VersionId)).toEqual([old.VersionId, { era: "archived" }]);
    expect((await s3.send(new GetObjectAclCommand({ Bucket, Key: "k", VersionId: old.VersionId }))).Grants).toHaveLength(1);

    // A version that does not exist, and a delete marker, have no tags to read or change.
    expect(await failure(s3.send(new GetObjectTaggingCommand({ Bucket, Key: "k", VersionId: "A".repeat(32) })))).toBe("404 NoSuchVersion");
    expect(await failure(s3.send(new PutObjectTaggingCommand({ Bucket, Key: "k", VersionId: "A".repeat(32), Tagging: { TagSet: [] } })))).toBe("404 NoSuchVersion");
    const marker = await s3.send(new DeleteObjectCommand({ Bucket, Key: "k" }));
    expect(await failure(s3.send(new GetObjectTaggingCommand({ Bucket, Key: "k", VersionId: marker.VersionId })))).toBe("405 MethodNotAllowed");
    expect(await failure(s3.send(new GetObjectTaggingCommand({ Bucket, Key: "k" })))).toBe("404 NoSuchKey");
    expect(await tags(old.VersionId)).toEqual([old.VersionId, { era: "archived" }]);
  });
});
