import { CloudError } from "../../errors";
import { sendS3Error } from "../../protocols/xml";
import { sendXmlAnswer } from "../../protocols/rest-xml";
import type { CloudService, ServiceContext } from "../../service";
import { noSuchBucket, type S3Request } from "./context";
import { findBucket } from "./store";
import { postObject } from "./post-object";
import { answerPreflight, applyCors } from "./cors";
import { refuseVersionIds, routeOf } from "./routes";

// S3 over restXml. Path-style (`/bucket/key`) everywhere; virtual-hosted style
// (`bucket.localhost:4566/key`) where the host name allows it.

const signatureErrors = {
  missing: [403, "AccessDenied", "Access Denied"],
  malformed: [400, "AuthorizationHeaderMalformed", null],
  unknown_key: [403, "InvalidAccessKeyId", null],
  mismatch: [403, "SignatureDoesNotMatch", null],
  expired: [403, "AccessDenied", null],
  skewed: [403, "RequestTimeTooSkewed", null],
  token_expired: [400, "ExpiredToken", null],
  bad_token: [400, "InvalidToken", null],
} as const;

function locate(ctx: Pick<ServiceContext, "req" | "rawPath">): { bucket: string | null; key: string | null } {
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
  const route = routeOf(request);
  refuseVersionIds(request, route.operation);
  const answer = await route.run(request as S3Request & { bucket: string; key: string });
  await sendXmlAnswer(request.ctx.res, answer, request.ctx.req.method === "HEAD");
}

export const s3: CloudService = {
  name: "s3",
  async handle(ctx) {
    const { bucket, key } = locate(ctx);
    // CORS headers go on the answer whatever it is, so a page can read S3's errors too.
    await applyCors(ctx.res, bucket, ctx.req.headers.origin, ctx.req.method ?? "");
    let payloadHash = ctx.req.headers["x-amz-content-sha256"] as string | undefined;
    if (!payloadHash) {
      if (!ctx.presigned) throw new CloudError(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
      payloadHash = ctx.query.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD";
    }
    const caller = await ctx.verify(payloadHash);
    await dispatch({ ctx, caller, bucket, key, payloadHash });
  },
  /** A browser's CORS preflight: unsigned, answered from the bucket's CORS rules. */
  async preflight(ctx) {
    await answerPreflight(ctx.res, locate(ctx).bucket, ctx.req.headers);
  },
  /** PostObject: a browser form's upload, authorized by the policy it carries. */
  async formUpload(ctx) {
    const { bucket } = locate(ctx);
    await applyCors(ctx.res, bucket, ctx.req.headers.origin, "POST");
    await sendXmlAnswer(ctx.res, await postObject(ctx.req, bucket));
  },
  /** Anonymous requests: S3 says a bucket does not exist before it says access is denied. */
  async unsignedError(ctx) {
    const { bucket } = locate(ctx);
    if (bucket && !(await findBucket(bucket))) return noSuchBucket(bucket);
    return new CloudError(403, "AccessDenied", "Access Denied");
  },
  signatureError(error) {
    const [status, code, message] = signatureErrors[error.problem];
    return new CloudError(status, code, message ?? error.message);
  },
  sendError(ctx, error) {
    sendS3Error(ctx.res, error, ctx.requestId, ctx.req.method === "HEAD");
  },
};
