import fs from "node:fs";
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../testing";
import { blobPath } from "./blobs";
import { claimAssemblyPlace, findObject, findUpload, sealAssembly } from "./store";

// A multipart upload's parts are written into one file at their places, which becomes the object
// when every part is where it will be; every other shape of upload is copied out part by part.
// Either way the object is exactly the parts listed, in order.
let s3: S3Client;
const Bucket = "assembly";
const MB = 1024 * 1024;

/** A body of `size` bytes that says which part it is in every byte. */
const body = (label: string, size = 5 * MB) => Buffer.alloc(size, label);
const md5 = (data: Buffer) => createHash("md5").update(data).digest("hex");

async function start(key: string) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: key }));
  const assembly = (await findUpload(UploadId!))!.assembly!;
  // The assembly's file: the object's when it is moved into place rather than copied.
  const inode = fs.statSync(blobPath(assembly)).ino;
  const put = async (PartNumber: number, Body: Buffer) => ({ PartNumber, ETag: (await s3.send(new UploadPartCommand({ Bucket, Key: key, UploadId, PartNumber, Body }))).ETag });
  const complete = (Parts: { PartNumber: number; ETag?: string }[]) => s3.send(new CompleteMultipartUploadCommand({ Bucket, Key: key, UploadId, MultipartUpload: { Parts } }));
  return { UploadId: UploadId!, assembly, inode, put, complete };
}

async function objectOf(key: string) {
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: key }));
  const file = blobPath((await findObject(Bucket, key))!.blob);
  return { bytes: Buffer.from(await got.Body!.transformToByteArray()), file, inode: fs.statSync(file).ino };
}

// On both stores: the places are taken and sealed by statements that must order the same way.
describe.each(["pglite", "postgres"] as const)("on %s", (store) => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud({ store });
    s3 = await cloud.s3("org-a");
    await s3.send(new CreateBucketCommand({ Bucket }));
  });
  afterAll(async () => {
    await cloud.close();
  });

  it("makes the file the parts were written into the object, when they arrive in any order", async () => {
    const upload = await start("in-place");
    // Parts this large are digested on the digest worker, which reads each from its place.
    const parts = [body("1", 9 * MB), body("2", 9 * MB), body("3", 9 * MB), body("4", 123)];
    // The second part comes first and sets the places; the rest arrive at once.
    const second = await upload.put(2, parts[1]!);
    const others = await Promise.all([upload.put(4, parts[3]!), upload.put(1, parts[0]!), upload.put(3, parts[2]!)]);
    const done = await upload.complete([others[1]!, second, others[2]!, others[0]!]);
    const object = await objectOf("in-place");
    expect(object.bytes.equals(Buffer.concat(parts))).toBe(true);
    expect(object.inode).toBe(upload.inode);
    expect(fs.existsSync(blobPath(upload.assembly))).toBe(false);
    expect(done.ETag).toBe(
      `"${createHash("md5")
        .update(Buffer.concat(parts.map((p) => Buffer.from(md5(p), "hex"))))
        .digest("hex")}-4"`,
    );
    // Overwriting the object removes the file, as for any object.
    await s3.send(new PutObjectCommand({ Bucket, Key: "in-place", Body: "new" }));
    expect(fs.existsSync(object.file)).toBe(false);
  });

  it("copies the parts out when they are not all of one size", async () => {
    const upload = await start("sizes");
    const parts = [body("a", 5 * MB + 7), body("b", 6 * MB), body("c", 5 * MB), body("d", 10)];
    const listed = [];
    for (const [i, part] of parts.entries()) listed.push(await upload.put(i + 1, part));
    await upload.complete(listed);
    const object = await objectOf("sizes");
    expect(object.bytes.equals(Buffer.concat(parts))).toBe(true);
    expect(object.inode).not.toBe(upload.inode);
    expect(fs.existsSync(blobPath(upload.assembly))).toBe(false);
  });

  it("takes the latest body of a part sent again, and leaves out parts not listed", async () => {
    const upload = await start("resent");
    const one = await upload.put(1, body("1"));
    await upload.put(2, body("x"));
    const two = await upload.put(2, body("2"));
    await upload.put(3, body("3"));
    await upload.complete([one, two]);
    expect((await objectOf("resent")).bytes.equals(Buffer.concat([body("1"), body("2")]))).toBe(true);
  });

  it("skips the numbers a gap leaves, and keeps a place whose body failed its digest", async () => {
    const upload = await start("gaps");
    const one = await upload.put(1, body("1"));
    const wrongMd5 = createHash("md5").update("something else").digest("base64");
    const refused = await s3.send(new UploadPartCommand({ Bucket, Key: "gaps", UploadId: upload.UploadId, PartNumber: 3, Body: body("?"), ContentMD5: wrongMd5 })).catch((e: Error) => e.name);
    expect(refused).toBe("BadDigest");
    const three = await upload.put(3, body("3"));
    const five = await upload.put(5, body("5", 99));
    await upload.complete([one, three, five]);
    expect((await objectOf("gaps")).bytes.equals(Buffer.concat([body("1"), body("3"), body("5", 99)]))).toBe(true);
  });

  it("gives the assembly to one Complete only when two race; the other answers the same or finds the upload gone", async () => {
    const upload = await start("race");
    const listed = [await upload.put(1, body("1")), await upload.put(2, body("2", 10))];
    const answers = await Promise.all([upload.complete(listed), upload.complete(listed)].map((p) => p.then((r) => r.ETag!).catch((e: Error) => e.name)));
    const etag = answers.find((a) => a.startsWith('"'));
    expect(answers.every((a) => a === etag || a === "NoSuchUpload")).toBe(true);
    const object = await objectOf("race");
    expect(object.bytes.equals(Buffer.concat([body("1"), body("2", 10)]))).toBe(true);
    expect(fs.existsSync(blobPath(upload.assembly))).toBe(false);
  });

  it("keeps the parts when a conditional Complete is refused, and completes from them after", async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: "conditional", Body: "already here" }));
    const upload = await start("conditional");
    const listed = [await upload.put(1, body("1")), await upload.put(2, body("2", 10))];
    const refused = await s3
      .send(new CompleteMultipartUploadCommand({ Bucket, Key: "conditional", UploadId: upload.UploadId, MultipartUpload: { Parts: listed }, IfNoneMatch: "*" }))
      .catch((e: { $metadata?: { httpStatusCode?: number } }) => e.$metadata?.httpStatusCode);
    expect(refused).toBe(412);
    await upload.complete(listed);
    const object = await objectOf("conditional");
    expect(object.bytes.equals(Buffer.concat([body("1"), body("2", 10)]))).toBe(true);
    expect(object.inode).not.toBe(upload.inode);
    expect(fs.existsSync(blobPath(upload.assembly))).toBe(false);
  });

  it("removes the assembly with an aborted upload, and refuses its parts after", async () => {
    const upload = await start("aborted");
    await upload.put(1, body("1"));
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: "aborted", UploadId: upload.UploadId }));
    expect(fs.existsSync(blobPath(upload.assembly))).toBe(false);
    expect(await upload.put(2, body("2")).catch((e: Error) => e.name)).toBe("NoSuchUpload");
  });

  it("takes no place beyond the largest object S3 allows, and a place only once", async () => {
    const upload = await start("far");
    // Part 10,000 of 600 MB parts would end 5.9 TB out: that part is a file of its own.
    expect(await claimAssemblyPlace(upload.UploadId, 10000, 600 * MB)).toBeNull();
    expect(await claimAssemblyPlace(upload.UploadId, 2, 600 * MB)).toEqual({ assembly: upload.assembly, offset: 600 * MB });
    expect(await claimAssemblyPlace(upload.UploadId, 2, 600 * MB)).toBeNull();
    expect(await claimAssemblyPlace(upload.UploadId, 3, 600 * MB + 1)).toBeNull();
    expect(await claimAssemblyPlace(upload.UploadId, 3, 10)).toEqual({ assembly: upload.assembly, offset: 1200 * MB });
    expect(await sealAssembly(upload.UploadId)).toEqual({ assembly: upload.assembly, stride: 600 * MB, claimed: [2, 3], first: true });
    expect(await claimAssemblyPlace(upload.UploadId, 1, 600 * MB)).toBeNull();
    expect((await sealAssembly(upload.UploadId)).first).toBe(false);
    await s3.send(new AbortMultipartUploadCommand({ Bucket, Key: "far", UploadId: upload.UploadId }));
    expect(fs.existsSync(blobPath(upload.assembly))).toBe(false);
  });
});
