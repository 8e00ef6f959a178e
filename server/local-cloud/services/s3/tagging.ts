import { CloudError } from "../../errors";
import { parseXml } from "../../protocols/xml";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { readBody } from "../../body";
import { ownedBucket, type S3Request } from "./context";
import { versionToRead } from "./objects";
import { setBucketTags } from "./store";
import { setObjectTags } from "./versions";

// Tags of objects and buckets: sub-resources, stored beside the object or bucket and changed
// without touching its bytes, ETag or modification time. Limits are S3's: 10 tags per object
// (50 per bucket), keys up to 128 characters, values up to 256, no duplicate keys.

type KeyRequest = S3Request & { bucket: string; key: string };
type BucketRequest = S3Request & { bucket: string };

const invalidTag = (message: string) => new CloudError(400, "InvalidTag", message);
const malformed = () => new CloudError(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");

function checkTags(entries: [string, string][], limit: number): Record<string, string> {
  if (entries.length > limit) throw invalidTag(`Object tags cannot be greater than ${limit}`);
  const tags: Record<string, string> = {};
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > 128) throw invalidTag("The TagKey you have provided is invalid");
    if (value.length > 256) throw invalidTag("The TagValue you have provided is invalid");
    if (key.startsWith("aws:")) throw invalidTag("Your TagKey cannot be prefixed with aws:");
    if (key in tags) throw invalidTag("Cannot provide multiple Tags with the same key");
    tags[key] = value;
  }
  return tags;
}

/** The `x-amz-tagging` header of PutObject, CopyObject and CreateMultipartUpload (URL query form). */
export function tagsFromHeader(header: string | string[] | undefined): Record<string, string> {
  if (typeof header !== "string" || header === "") return {};
  return checkTags([...new URLSearchParams(header).entries()], 10);
}

async function tagsFromBody(request: S3Request, limit: number): Promise<Record<string, string>> {
  return tagsFromXml((await readBody(request.ctx.req, 64 * 1024)).toString("utf8"), limit);
}

/** A `<Tagging><TagSet>…` document (a PutObjectTagging body, or a browser form's `tagging` field). */
export function tagsFromXml(text: string, limit = 10): Record<string, string> {
  const parsed = parseXml(text).Tagging as Record<string, unknown> | undefined;
  if (!parsed || typeof parsed !== "object") throw malformed();
  const set = parsed.TagSet;
  if (set === undefined) throw malformed();
  const tags = set === "" ? [] : ([] as unknown[]).concat((set as Record<string, unknown>).Tag ?? []);
  const entries = tags.map((tag) => {
    const { Key, Value } = (tag ?? {}) as { Key?: unknown; Value?: unknown };
    if (typeof Key !== "string") throw malformed();
    return [Key, typeof Value === "string" ? Value : ""] as [string, string];
  });
  return checkTags(entries, limit);
}

// Tags come back in key order (the store keeps a set, not the order they were sent in).
const byKey = (tags: Record<string, string>) => Object.entries(tags).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const tagSet = (tags: Record<string, string>): XmlAnswer => ({ xml: { root: "Tagging", body: { TagSet: { Tag: byKey(tags).map(([Key, Value]) => ({ Key, Value })) } } } });
const noSuchKey = (key: string) => new CloudError(404, "NoSuchKey", "The specified key does not exist.", { Key: key });

/**
 * Sets the tags of the version a request names (by `versionId`, or the current one): the same
 * errors as a read of that version, and the version's id in `x-amz-version-id`, as S3 answers.
 */
async function retag(request: KeyRequest, tags: Record<string, string>, status: number): Promise<XmlAnswer> {
  const object = await versionToRead(request, true);
  const versionId = request.ctx.query.get("versionId") ?? object.versionId ?? undefined;
  if (!(await setObjectTags(request.bucket, request.key, tags, versionId))) throw noSuchKey(request.key);
  return { status, headers: versionHeader(object) };
}

const versionHeader = (object: { versionId: string | null }): Record<string, string> => (object.versionId ? { "x-amz-version-id": object.versionId } : {});

export async function putObjectTagging(request: KeyRequest): Promise<XmlAnswer> {
  await ownedBucket(request.bucket, request.caller);
  return retag(request, await tagsFromBody(request, 10), 200);
}

export async function getObjectTagging(request: KeyRequest): Promise<XmlAnswer> {
  await ownedBucket(request.bucket, request.caller);
  const object = await versionToRead(request, true);
  return { ...tagSet(object.tags ?? {}), headers: versionHeader(object) };
}

export async function deleteObjectTagging(request: KeyRequest): Promise<XmlAnswer> {
  await ownedBucket(request.bucket, request.caller);
  return retag(request, {}, 204);
}

export async function putBucketTagging(request: BucketRequest): Promise<XmlAnswer> {
  await ownedBucket(request.bucket, request.caller);
  await setBucketTags(request.bucket, await tagsFromBody(request, 50));
  return { status: 204 };
}

export async function getBucketTagging(request: BucketRequest): Promise<XmlAnswer> {
  const bucket = await ownedBucket(request.bucket, request.caller);
  if (!bucket.tags) throw new CloudError(404, "NoSuchTagSet", "The TagSet does not exist", { BucketName: request.bucket });
  return tagSet(bucket.tags);
}

export async function deleteBucketTagging(request: BucketRequest): Promise<XmlAnswer> {
  await ownedBucket(request.bucket, request.caller);
  await setBucketTags(request.bucket, null);
  return { status: 204 };
}
