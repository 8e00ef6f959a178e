import { CloudError } from "../../errors";
import { parseXml, toXml } from "../../protocols/xml";
import { s3Namespace, type XmlAnswer } from "../../protocols/rest-xml";
import { readBody } from "../../body";
import { ownedBucket, type S3Request } from "./context";
import { validateBucketName } from "./names";
import { refuseAclHeaders } from "./acl";
import { deleteEmptyBucket, findBucket, insertBucket, listBuckets, updateBucket } from "./store";
import { isoDate } from "./context";

function owner(accountId: string) {
  return { ID: accountId, DisplayName: accountId };
}

export async function listAllBuckets({ ctx, caller }: S3Request): Promise<XmlAnswer> {
  const q = ctx.query;
  const max = q.has("max-buckets") ? Number(q.get("max-buckets")) : 10000;
  if (!Number.isInteger(max) || max < 1 || max > 10000) throw new CloudError(400, "InvalidArgument", "max-buckets must be a whole number between 1 and 10000", { ArgumentName: "max-buckets" });
  const token = q.get("continuation-token") || undefined;
  const after = token === undefined ? null : Buffer.from(token, "base64url").toString("utf8");
  const prefix = q.get("prefix") ?? "";
  const rows = await listBuckets(caller.accountId, { after, limit: max + 1, prefix, region: q.get("bucket-region") || undefined });
  const page = rows.slice(0, max);
  const body = {
    Owner: owner(caller.accountId),
    Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: isoDate(b.createdAt), BucketRegion: b.region })) },
    ...(rows.length > max ? { ContinuationToken: Buffer.from(page.at(-1)!.name).toString("base64url") } : {}),
    ...(q.has("prefix") ? { Prefix: prefix } : {}),
  };
  return { xml: { root: "ListAllMyBucketsResult", body } };
}

export async function createBucket({ ctx, caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  validateBucketName(bucket);
  refuseAclHeaders(ctx.req.headers, "bucket");
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
        return { headers: { Location: `/${bucket}` } };
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
  return { headers: { Location: `/${bucket}` } };
}

export async function headBucket({ caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const found = await ownedBucket(bucket, caller);
  return { headers: { "x-amz-bucket-region": found.region } };
}

export async function deleteBucket({ caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  if (!(await deleteEmptyBucket(bucket))) {
    throw new CloudError(409, "BucketNotEmpty", "The bucket you tried to delete is not empty", { BucketName: bucket });
  }
  return { status: 204 };
}

export async function getBucketLocation({ caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const found = await ownedBucket(bucket, caller);
  const location = found.region === "us-east-1" ? "" : found.region;
  return { text: `<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="${s3Namespace}">${location}</LocationConstraint>` };
}

export async function putBucketVersioning({ ctx, caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  const config = parseXml((await readBody(ctx.req, 64 * 1024)).toString("utf8")).VersioningConfiguration as Record<string, unknown> | undefined;
  const status = config && typeof config === "object" ? config.Status : undefined;
  if (status !== "Enabled" && status !== "Suspended") {
    throw new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema: Status must be Enabled or Suspended.");
  }
  await updateBucket(bucket, { versioning: status });
  return {};
}

export async function getBucketVersioning({ caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const found = await ownedBucket(bucket, caller);
  return { xml: { root: "VersioningConfiguration", body: found.versioning ? { Status: found.versioning } : {} } };
}

const sseAlgorithms = ["AES256", "aws:kms", "aws:kms:dsse"];

export async function putBucketEncryption({ ctx, caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
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
  return {};
}

export async function getBucketEncryption({ caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const found = await ownedBucket(bucket, caller);
  // Like S3 since 2023, a bucket without its own setting reports the default, SSE-S3 (AES256).
  // The stored setting is the document the owner sent, answered as it came.
  const text = found.encryption ?? toXml("ServerSideEncryptionConfiguration", { Rule: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false } }, s3Namespace);
  return { text };
}

export async function deleteBucketEncryption({ caller, bucket }: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(bucket, caller);
  await updateBucket(bucket, { encryption: null });
  return { status: 204 };
}
