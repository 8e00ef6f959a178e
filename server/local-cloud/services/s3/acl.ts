import { readBody } from "../../body";
import { CloudError, notImplemented } from "../../errors";
import { parseXml } from "../../protocols/xml";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { ownedBucket, type S3Request } from "./context";
import { findObject } from "./store";

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
  if (!(await findObject(request.bucket, request.key))) throw new CloudError(404, "NoSuchKey", "The specified key does not exist.", { Key: request.key });
  return ownerOnlyPolicy(bucket.accountId);
}

/**
 * Putting an ACL: the only ACL there is here is the owner's FULL_CONTROL, so a request that asks
 * for exactly that (the canned `private` ACL, or a policy granting only the owner) succeeds and
 * changes nothing; any other grant is refused with NotImplemented rather than silently ignored.
 */
async function checkPrivateAcl(request: S3Request & { bucket: string }, ownerId: string): Promise<void> {
  const canned = request.ctx.req.headers["x-amz-acl"];
  const grants = Object.keys(request.ctx.req.headers).filter((h) => h.startsWith("x-amz-grant-"));
  const body = (await readBody(request.ctx.req, 64 * 1024)).toString("utf8");
  if (grants.length) throw notImplemented("Granting access to other accounts (x-amz-grant-*)");
  if (canned !== undefined) {
    if (canned !== "private" || body.trim()) throw notImplemented(`The canned ACL "${String(canned)}"`);
    return;
  }
  const policy = parseXml(body).AccessControlPolicy as Record<string, unknown> | undefined;
  const list = (policy?.AccessControlList as Record<string, unknown> | undefined)?.Grant;
  const entries = ([] as unknown[]).concat(list ?? []) as { Grantee?: { ID?: unknown }; Permission?: unknown }[];
  if (!policy || entries.some((g) => String(g.Grantee?.ID ?? "") !== ownerId || g.Permission !== "FULL_CONTROL"))
    throw notImplemented("Access control lists granting more than the owner's FULL_CONTROL");
}

export async function putBucketAcl(request: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  await checkPrivateAcl(request, bucket.accountId);
  return {};
}

export async function putObjectAcl(request: S3Request & { bucket: string; key: string }): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  if (!(await findObject(request.bucket, request.key))) throw new CloudError(404, "NoSuchKey", "The specified key does not exist.", { Key: request.key });
  await checkPrivateAcl(request, bucket.accountId);
  return {};
}
