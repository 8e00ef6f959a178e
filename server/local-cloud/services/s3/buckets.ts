import { CloudError } from "../../errors";
import { parseXml, sendXml, toXml } from "../../protocols/xml";
import { readBody } from "../../body";
import { ownedBucket, type S3Request } from "./context";
import { validateBucketName } from "./names";
import { deleteEmptyBucket, findBucket, insertBucket, listBuckets, updateBucket } from "./store";
import { isoDate } from "./context";

const ns = "http://s3.amazonaws.com/doc/2006-03-01/";

function owner(accountId: string) {
  return { ID: accountId, DisplayName: accountId };
}

export async function listAllBuckets({ ctx, caller }: S3Request) {
  const buckets = await listBuckets(caller.accountId);
  const body = {
    Owner: owner(caller.accountId),
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: isoDate(b.createdAt), BucketRegion: b.region })) },
  };
  sendXml(ctx.res, 200, toXml("ListAllMyBucketsResult", body, ns));
}

export async function createBucket({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  validateBucketName(bucket);
  const body = (await readBody(ctx.req, 64 * 1024)).toString("utf8");
  let region = caller.region;
  if (body.trim()) {
    const parsed = parseXml(body).CreateBucketConfiguration as Record<string, unknown> | undefined;
    if (parsed === undefined) throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
    if (typeof parsed === "object" && parsed && typeof parsed.LocationConstraint === "string" && parsed.LocationConstraint) {
      region = parsed.LocationConstraint;
    }
  }
  if (!(await insertBucket({ name: bucket, accountId: caller.accountId, region }))) {
    const existing = await findBucket(bucket);
    if (existing?.accountId === caller.accountId) {
      // us-east-1 keeps S3's legacy answer: creating a bucket you already own there succeeds.
      if (existing.region === "us-east-1" && region === "us-east-1") {
        ctx.res.writeHead(200, { Location: `/${bucket}`, "Content-Length": "0" });
        ctx.res.end();
        return;
      }
      throw new CloudError(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", { BucketName: bucket });
    }
    throw new CloudError(
      409,
      "BucketAlreadyExists",
      "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.",
      { BucketName: bucket },
    );
  }
  ctx.res.writeHead(200, { Location: `/${bucket}`, "Content-Length": "0" });
  ctx.res.end();
}

export async function headBucket({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  const found = await ownedBucket(bucket, caller);
  ctx.res.writeHead(200, { "x-amz-bucket-region": found.region, "Content-Length": "0" });
  ctx.res.end();
}

export async function deleteBucket({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  await ownedBucket(bucket, caller);
  if (!(await deleteEmptyBucket(bucket))) {
    throw new CloudError(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", { BucketName: bucket });
  }
  ctx.res.writeHead(204);
  ctx.res.end();
}

export async function getBucketLocation({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  const found = await ownedBucket(bucket, caller);
  const location = found.region === "us-east-1" ? "" : found.region;
  sendXml(ctx.res, 200, `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${ns}">${location}</LocationConstraint>`);
}

export async function putBucketVersioning({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  await ownedBucket(bucket, caller);
  const config = parseXml((await readBody(ctx.req, 64 * 1024)).toString("utf8")).VersioningConfiguration as Record<string, unknown> | undefined;
  const status = config && typeof config === "object" ? config.Status : undefined;
  if (status !== "Enabled" && status !== "Suspended") {
    throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: Status must be Enabled or Suspended.");
  }
  await updateBucket(bucket, { versioning: status });
  ctx.res.writeHead(200, { "Content-Length": "0" });
  ctx.res.end();
}

export async function getBucketVersioning({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  const found = await ownedBucket(bucket, caller);
  sendXml(ctx.res, 200, toXml("VersioningConfiguration", found.versioning ? { Status: found.versioning } : {}, ns));
}

const sseAlgorithms = ["AES256", "aws:kms", "aws:kms:dsse"];

export async function putBucketEncryption({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  await ownedBucket(bucket, caller);
  const text = (await readBody(ctx.req, 64 * 1024)).toString("utf8");
  const config = parseXml(text).ServerSideEncryptionConfiguration as Record<string, unknown> | undefined;
  const rule = config && typeof config === "object" ? (config.Rule as Record<string, unknown> | undefined) : undefined;
  const byDefault = rule?.ApplyServerSideEncryptionByDefault as Record<string, unknown> | undefined;
  const algorithm = byDefault?.SSEAlgorithm;
  if (typeof algorithm !== "string" || !sseAlgorithms.includes(algorithm)) {
    throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: SSEAlgorithm must be AES256, aws:kms or aws:kms:dsse.");
  }
  await updateBucket(bucket, { encryption: text });
  ctx.res.writeHead(200, { "Content-Length": "0" });
  ctx.res.end();
}

export async function getBucketEncryption({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  const found = await ownedBucket(bucket, caller);
  // Like S3 since 2023, a bucket without its own setting reports the default, SSE-S3 (AES256).
  const xml = found.encryption ?? toXml("ServerSideEncryptionConfiguration", { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false } }, ns);
  sendXml(ctx.res, 200, xml);
}

export async function deleteBucketEncryption({ ctx, caller, bucket }: S3Request & { bucket: string }) {
  await ownedBucket(bucket, caller);
  await updateBucket(bucket, { encryption: null });
  ctx.res.writeHead(204);
  ctx.res.end();
}
