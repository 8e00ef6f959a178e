import { CloudError, notImplemented } from "../../errors";
import type { XmlAnswer } from "../../protocols/rest-xml";
import * as acl from "./acl";
import * as buckets from "./buckets";
import * as cors from "./cors";
import type { S3Request } from "./context";
import { listObjectsV1, listObjectsV2, listObjectVersions } from "./list";
import * as multipart from "./multipart";
import * as objects from "./objects";
import * as tagging from "./tagging";

// The S3 route table. An operation is decided, as S3 decides it, from the method, the level
// (service, bucket or object) and the full set of sub-resources in the query string, before any
// handler runs. A query parameter is either an argument of an operation (listed below) or a
// sub-resource; a sub-resource no route names is refused with NotImplemented, so a request such
// as PUT ?tagging can never fall through to PutObject and overwrite the object.

type Level = "service" | "bucket" | "object";
type Handler = (request: S3Request & { bucket: string; key: string }) => Promise<XmlAnswer>;

interface S3Route {
  operation: string;
  method: string;
  level: Level;
  subresource: string | null;
  /** Further conditions that tell apart operations sharing method, level and sub-resource. */
  when?: (request: S3Request) => boolean;
  run: Handler;
}

/** Query parameters that are arguments of some operation (S3's model), never sub-resources. */
const argumentNames = new Set([
  "bucket-region",
  "continuation-token",
  "delimiter",
  "encoding-type",
  "fetch-owner",
  "id",
  "key-marker",
  "marker",
  "max-buckets",
  "max-directory-buckets",
  "max-keys",
  "max-parts",
  "max-uploads",
  "part-number-marker",
  "partNumber",
  "prefix",
  "response-cache-control",
  "response-content-disposition",
  "response-content-encoding",
  "response-content-language",
  "response-content-type",
  "response-expires",
  "start-after",
  "upload-id-marker",
  "uploadId",
  "version-id-marker",
  "versionId",
  "list-type",
  "x-id",
]);

export function subresourcesOf(query: Map<string, string>): string[] {
  return [...query.keys()].filter((name) => !argumentNames.has(name) && !/^x-amz-/i.test(name)).sort();
}

const has = (name: string) => (request: S3Request) => request.ctx.query.has(name);
const header = (name: string) => (request: S3Request) => request.ctx.req.headers[name] !== undefined;
const not = (test: (request: S3Request) => boolean) => (request: S3Request) => !test(request);
const uploadId = (request: S3Request) => request.ctx.query.get("uploadId")!;

const routes: S3Route[] = [
  { operation: "ListBuckets", method: "GET", level: "service", subresource: null, run: buckets.listAllBuckets },
  { operation: "CreateBucket", method: "PUT", level: "bucket", subresource: null, run: buckets.createBucket },
  { operation: "HeadBucket", method: "HEAD", level: "bucket", subresource: null, run: buckets.headBucket },
  { operation: "DeleteBucket", method: "DELETE", level: "bucket", subresource: null, run: buckets.deleteBucket },
  { operation: "ListObjectsV2", method: "GET", level: "bucket", subresource: null, when: (r) => r.ctx.query.get("list-type") === "2", run: listObjectsV2 },
  { operation: "ListObjects", method: "GET", level: "bucket", subresource: null, run: listObjectsV1 },
  { operation: "PutBucketVersioning", method: "PUT", level: "bucket", subresource: "versioning", run: buckets.putBucketVersioning },
  { operation: "GetBucketVersioning", method: "GET", level: "bucket", subresource: "versioning", run: buckets.getBucketVersioning },
  { operation: "PutBucketEncryption", method: "PUT", level: "bucket", subresource: "encryption", run: buckets.putBucketEncryption },
  { operation: "GetBucketEncryption", method: "GET", level: "bucket", subresource: "encryption", run: buckets.getBucketEncryption },
  { operation: "DeleteBucketEncryption", method: "DELETE", level: "bucket", subresource: "encryption", run: buckets.deleteBucketEncryption },
  { operation: "GetBucketLocation", method: "GET", level: "bucket", subresource: "location", run: buckets.getBucketLocation },
  { operation: "GetBucketAcl", method: "GET", level: "bucket", subresource: "acl", run: acl.getBucketAcl },
  { operation: "PutBucketAcl", method: "PUT", level: "bucket", subresource: "acl", run: acl.putBucketAcl },
  { operation: "PutBucketTagging", method: "PUT", level: "bucket", subresource: "tagging", run: tagging.putBucketTagging },
  { operation: "GetBucketTagging", method: "GET", level: "bucket", subresource: "tagging", run: tagging.getBucketTagging },
  { operation: "DeleteBucketTagging", method: "DELETE", level: "bucket", subresource: "tagging", run: tagging.deleteBucketTagging },
  { operation: "DeleteObjects", method: "POST", level: "bucket", subresource: "delete", run: objects.deleteObjects },
  { operation: "ListMultipartUploads", method: "GET", level: "bucket", subresource: "uploads", run: multipart.listMultipartUploads },
  { operation: "ListObjectVersions", method: "GET", level: "bucket", subresource: "versions", run: listObjectVersions },
  { operation: "PutBucketCors", method: "PUT", level: "bucket", subresource: "cors", run: cors.putBucketCors },
  { operation: "GetBucketCors", method: "GET", level: "bucket", subresource: "cors", run: cors.getBucketCors },
  { operation: "DeleteBucketCors", method: "DELETE", level: "bucket", subresource: "cors", run: cors.deleteBucketCors },

  {
    operation: "UploadPartCopy",
    method: "PUT",
    level: "object",
    subresource: null,
    when: (r) => has("uploadId")(r) && header("x-amz-copy-source")(r),
    run: (r) => multipart.uploadPartCopy(r, uploadId(r), r.ctx.query.get("partNumber") ?? ""),
  },
  { operation: "UploadPart", method: "PUT", level: "object", subresource: null, when: has("uploadId"), run: (r) => multipart.uploadPart(r, uploadId(r), r.ctx.query.get("partNumber") ?? "") },
  { operation: "CopyObject", method: "PUT", level: "object", subresource: null, when: header("x-amz-copy-source"), run: (r) => objects.copyObject(r, String(r.ctx.req.headers["x-amz-copy-source"])) },
  { operation: "PutObject", method: "PUT", level: "object", subresource: null, run: objects.putObject },
  { operation: "ListParts", method: "GET", level: "object", subresource: null, when: has("uploadId"), run: (r) => multipart.listParts(r, uploadId(r)) },
  { operation: "GetObject", method: "GET", level: "object", subresource: null, run: (r) => objects.getObject(r, false) },
  { operation: "HeadObject", method: "HEAD", level: "object", subresource: null, when: not(has("uploadId")), run: (r) => objects.getObject(r, true) },
  { operation: "AbortMultipartUpload", method: "DELETE", level: "object", subresource: null, when: has("uploadId"), run: (r) => multipart.abortMultipartUpload(r, uploadId(r)) },
  { operation: "DeleteObject", method: "DELETE", level: "object", subresource: null, run: objects.deleteObject },
  { operation: "CreateMultipartUpload", method: "POST", level: "object", subresource: "uploads", run: multipart.createMultipartUpload },
  { operation: "CompleteMultipartUpload", method: "POST", level: "object", subresource: null, when: has("uploadId"), run: (r) => multipart.completeMultipartUpload(r, uploadId(r)) },
  { operation: "GetObjectAcl", method: "GET", level: "object", subresource: "acl", run: acl.getObjectAcl },
  { operation: "PutObjectAcl", method: "PUT", level: "object", subresource: "acl", run: acl.putObjectAcl },
  { operation: "GetObjectAttributes", method: "GET", level: "object", subresource: "attributes", run: objects.getObjectAttributes },
  { operation: "PutObjectTagging", method: "PUT", level: "object", subresource: "tagging", run: tagging.putObjectTagging },
  { operation: "GetObjectTagging", method: "GET", level: "object", subresource: "tagging", run: tagging.getObjectTagging },
  { operation: "DeleteObjectTagging", method: "DELETE", level: "object", subresource: "tagging", run: tagging.deleteObjectTagging },
];

/** The operations this table serves, by their S3 names. */
export const implementedOperations = routes.map((r) => r.operation);

/** The route a request names, or the refusal S3 gives; no handler runs before this decides. */
export function routeOf(request: S3Request): S3Route {
  const level: Level = request.bucket === null ? "service" : request.key === null ? "bucket" : "object";
  const method = request.ctx.req.method ?? "";
  const subresources = subresourcesOf(request.ctx.query);
  if (subresources.length > 1) throw notImplemented(`A request naming several sub-resources (${subresources.join(", ")})`);
  const subresource = subresources[0] ?? null;
  const candidates = routes.filter((r) => r.level === level && r.subresource === subresource);
  const found = candidates.find((r) => r.method === method && (!r.when || r.when(request)));
  if (found) return found;
  if (!candidates.length && subresource !== null) throw notImplemented(`The ${level} sub-resource ?${subresource}`);
  if (level === "service") throw new CloudError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  throw notImplemented(`The ${level} operation ${method}${subresource === null ? "" : ` ?${subresource}`}`);
}

/** Operations that act on the version a `versionId` names; the others act on the current version. */
const versionedOperations = new Set(["GetObject", "HeadObject", "DeleteObject", "GetObjectAttributes", "GetObjectTagging", "PutObjectTagging", "DeleteObjectTagging", "GetObjectAcl", "PutObjectAcl"]);

/** A `versionId` on an operation that would ignore it is refused, never silently applied to another version. */
export function refuseVersionIds(request: S3Request, operation: string): void {
  const versionId = request.ctx.query.get("versionId");
  if (versionId === undefined || request.key === null || versionedOperations.has(operation)) return;
  throw notImplemented(`${operation} on a specific object version`);
}
