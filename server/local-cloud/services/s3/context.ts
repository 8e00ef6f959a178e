import type { ServiceContext } from "../../service";
import type { SignedRequest } from "../../sigv4/verify";
import { CloudError } from "../../errors";
import { headerText } from "../../sigv4/canonical";
import { findBucket, type Bucket } from "./store";
import { WriteConditionFailed } from "./versions";

/** One S3 request after its signature was checked. */
export interface S3Request {
  ctx: ServiceContext;
  caller: SignedRequest;
  bucket: string | null;
  key: string | null;
  payloadHash: string;
}

export const noSuchBucket = (name: string) => new CloudError(404, "NoSuchBucket", "The specified bucket does not exist", { BucketName: name });
export const accessDenied = () => new CloudError(403, "AccessDenied", "Access Denied");

/** The bucket, if the caller's account owns it: other accounts get AccessDenied, as on S3. */
export async function ownedBucket(name: string, caller: SignedRequest): Promise<Bucket> {
  const bucket = await findBucket(name);
  if (!bucket) throw noSuchBucket(name);
  if (bucket.accountId !== caller.accountId) throw accessDenied();
  return bucket;
}

const storedHeaderNames = ["cache-control", "content-disposition", "content-language", "expires"];

export interface ObjectHeaders {
  contentType: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
}

/**
 * User metadata (x-amz-meta-*) and the standard headers S3 stores with an object, from
 * lower-case names and values: a request's headers, or a browser form's fields.
 */
export function objectHeadersOf(values: Map<string, string>): ObjectHeaders {
  const headers: Record<string, string> = {};
  const metadata: Record<string, string> = {};
  for (const [name, value] of values) {
    if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;
    else if (storedHeaderNames.includes(name)) headers[name] = value;
  }
  const encoding = (values.get("content-encoding") ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s && s !== "aws-chunked");
  if (encoding.length) headers["content-encoding"] = encoding.join(", ");
  return { contentType: values.get("content-type") || "binary/octet-stream", headers, metadata };
}

/** objectHeadersOf a request; metadata values are read as the UTF-8 clients send. */
export function objectHeadersFromRequest(ctx: ServiceContext): ObjectHeaders {
  const values = new Map<string, string>();
  for (const [name, value] of Object.entries(ctx.req.headers)) if (typeof value === "string") values.set(name, name.startsWith("x-amz-meta-") ? headerText(value) : value);
  return objectHeadersOf(values);
}

/**
 * A metadata value for a response header: Latin-1 text goes as is; anything beyond it is written
 * as an RFC 2047 encoded word, as S3 does, since HTTP headers carry no other encoding.
 */
export function metadataHeader(value: string): string {
  return /^[\u0000-\u00ff]*$/.test(value) ? value : `=?UTF-8?B?${Buffer.from(value, "utf8").toString("base64")}?=`;
}

export function quoteEtag(hex: string): string {
  return `"${hex}"`;
}

export function httpDate(date: Date | string): string {
  return new Date(date).toUTCString();
}

export function isoDate(date: Date | string): string {
  return new Date(date).toISOString().replace(/\.\d{3}Z$/, ".000Z");
}

/** The conditions of a conditional write (If-Match / If-None-Match on PUT or on completing an upload). */
export function writeConditionsOf(ctx: ServiceContext): { ifMatch?: string; ifNoneMatch?: string } {
  const ifMatch = ctx.req.headers["if-match"] as string | undefined;
  const ifNoneMatch = ctx.req.headers["if-none-match"] as string | undefined;
  return { ...(ifMatch !== undefined ? { ifMatch } : {}), ...(ifNoneMatch !== undefined ? { ifNoneMatch } : {}) };
}

/** Writes through `write`; a failed condition removes the body already stored and answers as S3 does. */
export async function conditionally<T>(blob: string, write: () => Promise<T>, remove: (blob: string) => Promise<void>, key: string): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (!(error instanceof WriteConditionFailed)) throw error;
    await remove(blob);
    if (error.status === 404) throw new CloudError(404, "NoSuchKey", error.message, { Key: key });
    throw new CloudError(412, "PreconditionFailed", error.message, { Condition: "If-Match" });
  }
}
