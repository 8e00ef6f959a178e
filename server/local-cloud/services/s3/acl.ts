import { CloudError } from "../../errors";
import { sendXml, toXml } from "../../protocols/xml";
import { ownedBucket, type S3Request } from "./context";
import { findObject } from "./store";

// ACL reads: only the owning account can reach a bucket or its objects here, so every ACL is the
// one S3 gives a new bucket or object: the owner has FULL_CONTROL, nobody else has a grant.

const ns = "http://s3.amazonaws.com/doc/2006-03-01/";

function ownerOnlyPolicy(accountId: string): string {
  const owner = { ID: accountId, DisplayName: accountId };
  const grantee = { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ...owner };
  return toXml("AccessControlPolicy", { Owner: owner, AccessControlList: { Grant: [{ Grantee: grantee, Permission: "FULL_CONTROL" }] } }, ns);
}

export async function getBucketAcl(request: S3Request & { bucket: string }) {
  const bucket = await ownedBucket(request.bucket, request.caller);
  sendXml(request.ctx.res, 200, ownerOnlyPolicy(bucket.accountId));
}

export async function getObjectAcl(request: S3Request & { bucket: string; key: string }) {
  const bucket = await ownedBucket(request.bucket, request.caller);
  if (!(await findObject(request.bucket, request.key))) throw new CloudError(404, "NoSuchKey", "The specified key does not exist.", { Key: request.key });
  sendXml(request.ctx.res, 200, ownerOnlyPolicy(bucket.accountId));
}
