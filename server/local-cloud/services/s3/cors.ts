import type { ServerResponse } from "node:http";
import { CloudError } from "../../errors";
import { parseXml } from "../../protocols/xml";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { readBody } from "../../body";
import type { CorsRule } from "../../store/schema";
import { ownedBucket, type S3Request } from "./context";
import { findBucket, updateBucket } from "./store";

// Bucket CORS, as S3 applies it: rules set with PutBucketCors decide which web origins may call
// the bucket from a browser. A preflight (OPTIONS, unsigned, as browsers send it) is answered from
// the rules; an actual request with an Origin header gets the matching rule's headers, so that a
// page can upload with a presigned URL and read the ETag.

const methods = ["GET", "PUT", "POST", "DELETE", "HEAD"];
const malformed = (why: string) => new CloudError(400, "MalformedXML", `The XML you provided was not well-formed or did not validate against our published schema: ${why}.`);
const list = (value: unknown): string[] => ([] as unknown[]).concat(value ?? []).map((v) => String(v));

export async function putBucketCors(request: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(request.bucket, request.caller);
  const config = parseXml((await readBody(request.ctx.req, 64 * 1024)).toString("utf8")).CORSConfiguration as Record<string, unknown> | undefined;
  if (!config || typeof config !== "object") throw malformed("CORSConfiguration is required");
  const rules = ([] as unknown[]).concat(config.CORSRule ?? []) as Record<string, unknown>[];
  if (rules.length < 1 || rules.length > 100) throw malformed("between 1 and 100 CORSRule elements");
  const stored: CorsRule[] = rules.map((rule) => {
    const allowedMethods = list(rule.AllowedMethod);
    const allowedOrigins = list(rule.AllowedOrigin);
    if (!allowedMethods.length || !allowedOrigins.length) throw malformed("each CORSRule needs an AllowedOrigin and an AllowedMethod");
    const unknown = allowedMethods.find((m) => !methods.includes(m));
    if (unknown) throw new CloudError(400, "InvalidRequest", `Found unsupported HTTP method in CORS config. Unsupported method is ${unknown}`);
    if (allowedOrigins.some((o) => o.split("*").length > 2)) throw new CloudError(400, "InvalidRequest", "AllowedOrigin can have at most one * wildcard.");
    const maxAge = rule.MaxAgeSeconds === undefined ? undefined : Number(rule.MaxAgeSeconds);
    if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0)) throw malformed("MaxAgeSeconds must be a whole number of seconds");
    return {
      ...(rule.ID ? { id: String(rule.ID) } : {}),
      allowedOrigins,
      allowedMethods,
      allowedHeaders: list(rule.AllowedHeader),
      exposeHeaders: list(rule.ExposeHeader),
      ...(maxAge !== undefined ? { maxAgeSeconds: maxAge } : {}),
    };
  });
  await updateBucket(request.bucket, { cors: stored });
  return {};
}

export async function getBucketCors(request: S3Request & { bucket: string }): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  if (!bucket.cors) throw new CloudError(404, "NoSuchCORSConfiguration", "The CORS configuration does not exist", { BucketName: request.bucket });
  const rules = bucket.cors.map((r) => ({
    ...(r.id ? { ID: r.id } : {}),
    AllowedHeader: r.allowedHeaders,
    AllowedMethod: r.allowedMethods,
    AllowedOrigin: r.allowedOrigins,
    ExposeHeader: r.exposeHeaders,
    ...(r.maxAgeSeconds !== undefined ? { MaxAgeSeconds: r.maxAgeSeconds } : {}),
  }));
  return { xml: { root: "CORSConfiguration", body: { CORSRule: rules } } };
}

export async function deleteBucketCors(request: S3Request & { bucket: string }): Promise<XmlAnswer> {
  await ownedBucket(request.bucket, request.caller);
  await updateBucket(request.bucket, { cors: null });
  return { status: 204 };
}

/** A rule's pattern with at most one `*`, which matches any run of characters, as S3 allows. */
function wildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  const [p, v] = caseInsensitive ? [pattern.toLowerCase(), value.toLowerCase()] : [pattern, value];
  const parts = p.split("*");
  if (parts.length === 1) return p === v;
  if (parts.length > 2) return false;
  const [head, tail] = parts as [string, string];
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

function matchingRule(rules: CorsRule[] | null, origin: string, method: string, headers: string[]): CorsRule | undefined {
  return rules?.find(
    (rule) => rule.allowedOrigins.some((o) => wildcard(o, origin)) && rule.allowedMethods.includes(method) && headers.every((h) => rule.allowedHeaders.some((a) => wildcard(a, h, true))),
  );
}

function setCorsHeaders(res: ServerResponse, rule: CorsRule, origin: string): void {
  res.setHeader("Access-Control-Allow-Origin", rule.allowedOrigins.includes("*") ? "*" : origin);
  res.setHeader("Access-Control-Allow-Methods", rule.allowedMethods.join(", "));
  if (rule.exposeHeaders.length) res.setHeader("Access-Control-Expose-Headers", rule.exposeHeaders.join(", "));
  if (rule.maxAgeSeconds !== undefined) res.setHeader("Access-Control-Max-Age", String(rule.maxAgeSeconds));
  if (!rule.allowedOrigins.includes("*")) res.setHeader("Access-Control-Allow-Credentials", "true");
  res.setHeader("Vary", "Origin, Access-Control-Request-Headers, Access-Control-Request-Method");
}

/** Adds the matching rule's headers to an actual (signed) request from a browser. */
export async function applyCors(res: ServerResponse, bucketName: string | null, origin: string | undefined, method: string): Promise<void> {
  if (!origin || !bucketName) return;
  const bucket = await findBucket(bucketName);
  const rule = matchingRule(bucket?.cors ?? null, origin, method, []);
  if (rule) setCorsHeaders(res, rule, origin);
}

/** Answers a browser's preflight: unsigned, decided by the bucket's rules alone. */
export async function answerPreflight(res: ServerResponse, bucketName: string | null, headers: Record<string, string | string[] | undefined>): Promise<void> {
  const origin = headers.origin as string | undefined;
  const method = headers["access-control-request-method"] as string | undefined;
  if (!origin || !method || !bucketName) throw new CloudError(400, "BadRequest", "Insufficient information. Origin request header needed.");
  const requested = String(headers["access-control-request-headers"] ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter(Boolean);
  const bucket = await findBucket(bucketName);
  const rule = matchingRule(bucket?.cors ?? null, origin, method, requested);
  if (!rule)
    throw new CloudError(
      403,
      "AccessForbidden",
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      { Method: method, ResourceType: "OBJECT" },
    );
  setCorsHeaders(res, rule, origin);
  if (requested.length) res.setHeader("Access-Control-Allow-Headers", requested.join(", "));
  res.writeHead(200, { "Content-Length": "0" });
  res.end();
}
