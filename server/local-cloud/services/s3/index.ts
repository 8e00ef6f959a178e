import { CloudError, notImplemented } from "../../errors";
import { sendS3Error } from "../../protocols/xml";
import type { CloudService, ServiceContext } from "../../service";
import * as buckets from "./buckets";
import type { S3Request } from "./context";
import { listObjectsV1, listObjectsV2 } from "./list";
import * as multipart from "./multipart";
import * as objects from "./objects";

// S3 over restXml. Path-style (`/bucket/key`) everywhere; virtual-hosted style
// (`bucket.localhost:4566/key`) where the host name allows it.

const signatureErrors = {
  missing: [403, "AccessDenied", "Access Denied"],
  malformed: [400, "AuthorizationHeaderMalformed", null],
  unknown_key: [403, "InvalidAccessKeyId", null],
  mismatch: [403, "SignatureDoesNotMatch", null],
  expired: [403, "AccessDenied", null],
  skewed: [403, "RequestTimeTooSkewed", null],
} as const;

function locate(ctx: ServiceContext): { bucket: string | null; key: string | null } {
  const host = String(ctx.req.headers.host ?? "").replace(/:\d+$/, "");
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new CloudError(400, "InvalidURI", "Couldn't parse the specified URI.");
    }
  };
  const virtual = host.match(/^(.+?)(?:\.s3)?\.localhost$/);
  if (virtual) {
    const key = ctx.rawPath.length > 1 ? decode(ctx.rawPath.slice(1)) : null;
    return { bucket: virtual[1]!, key };
  }
  const path = ctx.rawPath.slice(1);
  if (!path) return { bucket: null, key: null };
  const slash = path.indexOf("/");
  if (slash === -1) return { bucket: decode(path), key: null };
  const key = path.slice(slash + 1);
  return { bucket: decode(path.slice(0, slash)), key: key ? decode(key) : null };
}

async function dispatch(request: S3Request): Promise<void> {
  const { ctx, bucket, key } = request;
  const method = ctx.req.method;
  const q = ctx.query;
  if (bucket === null) {
    if (method === "GET") return buckets.listAllBuckets(request);
    throw new CloudError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  }
  if (key === null) {
    const b = { ...request, bucket };
    if (q.has("versioning")) {
      if (method === "PUT") return buckets.putBucketVersioning(b);
      if (method === "GET") return buckets.getBucketVersioning(b);
    } else if (q.has("encryption")) {
      if (method === "PUT") return buckets.putBucketEncryption(b);
      if (method === "GET") return buckets.getBucketEncryption(b);
      if (method === "DELETE") return buckets.deleteBucketEncryption(b);
    } else if (q.has("location")) {
      if (method === "GET") return buckets.getBucketLocation(b);
    } else if (q.has("delete")) {
      if (method === "POST") return objects.deleteObjects(b);
    } else if (q.size === 0 || q.has("list-type") || q.has("prefix") || q.has("delimiter") || q.has("max-keys") || q.has("marker") || q.has("encoding-type") || q.has("x-id")) {
      if (method === "PUT") return buckets.createBucket(b);
      if (method === "HEAD") return buckets.headBucket(b);
      if (method === "DELETE") return buckets.deleteBucket(b);
      if (method === "GET") return q.get("list-type") === "2" ? listObjectsV2(b) : listObjectsV1(b);
    }
    throw notImplemented(`The bucket operation ${method} ?${[...q.keys()].join("&")}`);
  }
  const k = { ...request, bucket, key };
  const uploadId = q.get("uploadId");
  switch (method) {
    case "PUT": {
      const copySource = ctx.req.headers["x-amz-copy-source"];
      if (uploadId !== undefined) {
        if (copySource) throw notImplemented("UploadPartCopy");
        return multipart.uploadPart(k, uploadId, q.get("partNumber") ?? "");
      }
      if (typeof copySource === "string") return objects.copyObject(k, copySource);
      return objects.putObject(k);
    }
    case "GET":
      if (uploadId !== undefined) return multipart.listParts(k, uploadId);
      return objects.getObject(k, false);
    case "HEAD":
      return objects.getObject(k, true);
    case "DELETE":
      if (uploadId !== undefined) return multipart.abortMultipartUpload(k, uploadId);
      return objects.deleteObject(k);
    case "POST":
      if (q.has("uploads")) return multipart.createMultipartUpload(k);
      if (uploadId !== undefined) return multipart.completeMultipartUpload(k, uploadId);
  }
  throw notImplemented(`The object operation ${method} ?${[...q.keys()].join("&")}`);
}

export const s3: CloudService = {
  name: "s3",
  async handle(ctx) {
    const { bucket, key } = locate(ctx);
    let payloadHash = ctx.req.headers["x-amz-content-sha256"] as string | undefined;
    if (!payloadHash) {
      if (!ctx.presigned) throw new CloudError(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
      payloadHash = ctx.query.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD";
    }
    const caller = await ctx.verify(payloadHash);
    await dispatch({ ctx, caller, bucket, key, payloadHash });
  },
  signatureError(error) {
    const [status, code, message] = signatureErrors[error.problem];
    return new CloudError(status, code, message ?? error.message);
  },
  sendError(ctx, error) {
    sendS3Error(ctx.res, error, ctx.requestId, ctx.req.method === "HEAD");
  },
};
