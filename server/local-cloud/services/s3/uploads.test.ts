import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";
import { ABANDONED_UPLOAD_MS, sweepAbandonedUploads } from "./multipart";

// Multipart uploads beyond the basics: listing the open ones, parts copied from other objects,
// object attributes, and the sweep of uploads nobody finished.
let cloud: TestCloud;
let s3: S3Client;
const Bucket = "parts";

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = await cloud.s3("org-a");
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(async () => {
  await cloud.close();
});

it("lists open uploads in key order, a page at a time", async () => {
  const ids: Record<string, string> = {};
  for (const key of ["b/2", "a/1", "b/1", "c"]) ids[key] = (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key }))).UploadId!;
  const first = await s3.send(new ListMultipartUploadsCommand({ Bucket, MaxUploads: 2 }));
  expect(first.Uploads!.map((u) => u.Key)).toEqual(["a/1", "b/1"]);
  expect(first.IsTruncated).toBe(true);
  const second = await s3.send(new ListMultipartUploadsCommand({ Bucket, MaxUploads: 2, KeyMarker: first.NextKeyMarker, UploadIdMarker: first.NextUploadIdMarker }));
  expect(second.Uploads!.map((u) => u.Key)).toEqual(["b/2", "c"]);
  expect(second.IsTruncated).toBe(false);
  expect((await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "b/" }))).Uploads!.map((u) => u.UploadId)).toEqual([ids["b/1"], ids["b/2"]]);
});

it("builds an object from parts copied out of others, and reports its attributes", async () => {
  const five = "x".repeat(5 * 1024 * 1024);
  await s3.send(new PutObjectCommand({ Bucket, Key: "source", Body: `${five}TAIL` }));
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "assembled" }));
  const whole = await s3.send(new UploadPartCopyCommand({ Bucket, Key: "assembled", UploadId, PartNumber: 1, CopySource: `${Bucket}/source`, CopySourceRange: `bytes=0-${five.length - 1}` }));
  const tail = await s3.send(
    new UploadPartCopyCommand({ Bucket, Key: "assembled", UploadId, PartNumber: 2, CopySource: `${Bucket}/source`, CopySourceRange: `bytes=${five.length}-${five.length + 3}` }),
  );
  expect((await s3.send(new ListPartsCommand({ Bucket, Key: "assembled", UploadId }))).Parts!.map((p) => p.Size)).toEqual([five.length, 4]);
  await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket,
      Key: "assembled",
      UploadId,
      MultipartUpload: {
        Parts: [
          { PartNumber: 1, ETag: whole.CopyPartResult!.ETag },
          { PartNumber: 2, ETag: tail.CopyPartResult!.ETag },
        ],
      },
    }),
  );
  const text = await (await s3.send(new GetObjectCommand({ Bucket, Key: "assembled" }))).Body!.transformToString();
  expect(text.length).toBe(five.length + 4);
  expect(text.endsWith("xTAIL")).toBe(true);

  const attributes = await s3.send(new GetObjectAttributesCommand({ Bucket, Key: "assembled", ObjectAttributes: ["ETag", "ObjectSize", "ObjectParts", "StorageClass"] }));
  expect([attributes.ObjectSize, attributes.ObjectParts?.TotalPartsCount, attributes.StorageClass]).toEqual([five.length + 4, 2, "STANDARD"]);
  expect(attributes.ETag).toMatch(/^[0-9a-f]{32}-2$/);
  const refused = await s3.send(new UploadPartCopyCommand({ Bucket, Key: "assembled", UploadId: "gone", PartNumber: 1, CopySource: `${Bucket}/source` })).catch((e: Error) => e.name);
  expect(refused).toBe("NoSuchUpload");
});

it("aborts uploads abandoned for more than a day, and only those", async () => {
  const fresh = (await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "fresh" }))).UploadId!;
  await s3.send(new UploadPartCommand({ Bucket, Key: "fresh", UploadId: fresh, PartNumber: 1, Body: "part" }));
  const before = (await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads!.length;
  expect(await sweepAbandonedUploads(new Date())).toBe(0);
  const removed = await sweepAbandonedUploads(new Date(Date.now() + ABANDONED_UPLOAD_MS + 60_000));
  expect(removed).toBe(before);
  expect((await s3.send(new ListMultipartUploadsCommand({ Bucket }))).Uploads ?? []).toEqual([]);
  expect(await s3.send(new ListPartsCommand({ Bucket, Key: "fresh", UploadId: fresh })).catch((e: Error) => e.name)).toBe("NoSuchUpload");
});

it("reads one part of a multipart object by number, and answers a repeated Complete as the first", async () => {
  const five = "p".repeat(5 * 1024 * 1024);
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "two-parts" }));
  const one = await s3.send(new UploadPartCommand({ Bucket, Key: "two-parts", UploadId, PartNumber: 1, Body: five }));
  const two = await s3.send(new UploadPartCommand({ Bucket, Key: "two-parts", UploadId, PartNumber: 2, Body: "second part" }));
  const complete = () =>
    s3.send(
      new CompleteMultipartUploadCommand({
        Bucket,
        Key: "two-parts",
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: one.ETag },
            { PartNumber: 2, ETag: two.ETag },
          ],
        },
      }),
    );
  const first = await complete();
  expect((await complete()).ETag).toBe(first.ETag);

  const second = await s3.send(new GetObjectCommand({ Bucket, Key: "two-parts", PartNumber: 2 }));
  expect(await second.Body!.transformToString()).toBe("second part");
  expect([second.PartsCount, second.ContentRange]).toEqual([2, `bytes ${five.length}-${five.length + 10}/${five.length + 11}`]);
  expect((await s3.send(new GetObjectCommand({ Bucket, Key: "two-parts", PartNumber: 1 }))).ContentLength).toBe(five.length);
  expect(await s3.send(new GetObjectCommand({ Bucket, Key: "two-parts", PartNumber: 3 })).catch((e: Error) => e.name)).toBe("InvalidPart");
  expect(await (await s3.send(new GetObjectCommand({ Bucket, Key: "source", PartNumber: 1 }))).Body!.transformToString()).toHaveLength(five.length + 4);
});
