import { readBody } from "../../body";
import { CloudError } from "../../errors";
import { parseXml } from "../../protocols/xml";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { ownedBucket, type S3Request } from "./context";
import { versionToRead } from "./objects";

// ACL reads: only the owning account can reach a bucket or its objects here, so every ACL is the
// one S3 gives a new bucket or object: the owner has FULL_CONTROL, nobody else has a grant.

function ownerOnlyPolicy(accountId: string): XmlAnswer {
  const owner = { ID: accountId, DisplayName: accountId };
  const grantee = { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ...owner };
  return { xml: { root: "AccessControlPolicy", body: { Owner: owner, AccessControlList: { Grant: [{ Grantee: grantee, Permission: "FULL_CONTROL" }] } } } };
}

export async function getBucketAcl(request: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  return ownerOnlyPolicy(bucket.accountId);
}

export async function getObjectAcl(request: S3Request & { bucket: string; key: string }): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  await versionToRead(request, true);
  return ownerOnlyPolicy(bucket.accountId);
}

/**
 * ACL headers on a write (CreateBucket, PutObject, CopyObject, CreateMultipartUpload): as on S3
 * for buckets made since April 2023 (Object Ownership "bucket owner enforced"), only the canned
 * ACLs that give the owner alone control are accepted; anything that would grant another account
 * or the public access is refused with S3's error, never silently dropped.
 */
export function refuseAclHeaders(headers: Record<string, string | string[] | undefined>, level: "bucket" | "object"): void {
  const canned = headers["x-amz-acl"];
  const granting = Object.keys(headers).some((h) => h.startsWith("x-amz-grant-"));
  const ownerOnly = canned === undefined || canned === "private" || (level === "object" && canned === "bucket-owner-full-control");
  if (ownerOnly && !granting) return;
  if (level === "bucket") throw new CloudError(400, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting");
  throw new CloudError(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
}

/**
 * Putting an ACL: the only ACL there is here is the owner's FULL_CONTROL, so a request that asks
 * for exactly that (the canned `private` ACL, or a policy granting only the owner) succeeds and
 * changes nothing; any other grant is refused as S3 refuses it when ACLs are disabled.
 */
async function checkPrivateAcl(request: S3Request & { bucket: string }, ownerId: string): Promise<void> {
  refuseAclHeaders(request.ctx.req.headers, "object");
  const body = (await readBody(request.ctx.req, 64 * 1024)).toString("utf8");
  if (request.ctx.req.headers["x-amz-acl"] !== undefined) {
    if (body.trim()) throw new CloudError(400, "UnexpectedContent", "This request does not support content");
    return;
  }
  const policy = parseXml(body).AccessControlPolicy as Record<string, unknown> | undefined;
  const list = (policy?.AccessControlList as Record<string, unknown> | undefined)?.Grant;
  const entries = ([] as unknown[]).concat(list ?? []) as { Grantee?: { ID?: unknown }; Permission?: unknown }[];
  if (!policy) throw new CloudError(400, "MalformedACLError", "The XML you provided was not well-formed or did not validate against our published schema");
  if (entries.some((g) => String(g.Grantee?.ID ?? "") !== ownerId || g.Permission !== "FULL_CONTROL")) throw new CloudError(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
}

export async function putBucketAcl(request: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  await checkPrivateAcl(request, bucket.accountId);
  return {};
}

export async function putObjectAcl(request: S3Request & { bucket: string; key: string }): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  await versionToRead(request, true);
  await checkPrivateAcl(request, bucket.accountId);
  return {};
}
