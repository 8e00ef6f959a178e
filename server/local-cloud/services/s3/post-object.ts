import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import busboy from "busboy";
import { CloudError } from "../../errors";
import type { XmlAnswer } from "../../protocols/rest-xml";
import { commitOrDiscard, newTempPath, removeBlob, removeTemp } from "./blobs";
import { checksumAlgorithms, checksumHeader, checksummer } from "./checksums";
import { accessDenied, noSuchBucket, objectHeadersOf, quoteEtag } from "./context";
import { validateObjectKey } from "./names";
import { checkPolicy, parsePolicy, policySigner, type FormFields } from "./post-policy";
import { MAX_PUT_BYTES, streamToFile } from "./receive";
import { findBucket } from "./store";
import { tagsFromXml } from "./tagging";
import { writeObject } from "./versions";

// PostObject: an upload from an HTML form (multipart/form-data), as browsers send it with a
// presigned POST. The request itself is unsigned; the form carries a policy signed with the
// uploader's key (post-policy.ts). Every field before the part named `file` is read, the policy
// and signature are checked, and only then is the file streamed to disk; fields after the file
// are ignored, as on S3.

// S3 limits the fields of a form (everything but the file) to 20 KB.
const FIELD_BYTES = 20 * 1024;
const malformedPost = () => new CloudError(400, "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.");

interface Form {
  fields: FormFields;
  file: { stream: Readable; filename: string } | null;
  /** Settles when the whole body has been read (after the file, the fields S3 ignores). */
  finished: Promise<void>;
}

/**
 * Reads the form up to its file. Clients such as Python's requests send every field as a part
 * with a file name, so only the part named `file` is the upload; any other part is a field.
 */
function readForm(req: IncomingMessage): Promise<Form> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, defParamCharset: "utf8", limits: { fieldSize: FIELD_BYTES, fieldNameSize: 1024, parts: 1000 } });
    } catch {
      reject(malformedPost());
      return;
    }
    const fields: FormFields = new Map();
    const pending: Promise<void>[] = [];
    let fieldBytes = 0;
    let file: Form["file"] = null;
    // A field counts only if its part began before the file's (its value may arrive later).
    const setField = (name: string, value: string) => {
      fieldBytes += Buffer.byteLength(value);
      if (fieldBytes > FIELD_BYTES) throw new CloudError(400, "MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large.");
      const lower = name.toLowerCase();
      if (!fields.has(lower)) fields.set(lower, value);
    };
    let settle!: { resolve: () => void; reject: (error: Error) => void };
    const finished = new Promise<void>((res, rej) => (settle = { resolve: res, reject: rej }));
    finished.catch(() => {});
    const fail = (error: unknown) => {
      const refused = error instanceof CloudError ? error : malformedPost();
      settle.reject(refused);
      reject(refused);
    };
    parser.on("field", (name, value, info) => {
      if (file) return;
      if (info.valueTruncated) return fail(new CloudError(400, "MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large."));
      try {
        setField(name, value);
      } catch (error) {
        fail(error);
      }
    });
    parser.on("file", (name, stream, info) => {
      if (file) return void stream.resume(); // after the upload: ignored
      if (name.toLowerCase() === "file") {
        file = { stream, filename: info.filename ?? "" };
        Promise.all(pending).then(() => resolve({ fields, file, finished }), fail);
        return;
      }
      const chunks: Buffer[] = [];
      pending.push(
        new Promise<void>((done, failed) => {
          let bytes = 0;
          stream.on("data", (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes <= FIELD_BYTES) chunks.push(chunk);
          });
          stream.on("error", failed);
          stream.on("end", () => {
            try {
              if (bytes > FIELD_BYTES) throw new CloudError(400, "MaxPostPreDataLengthExceeded", "Your POST request fields preceding the upload file were too large.");
              setField(name, Buffer.concat(chunks).toString("utf8"));
              done();
            } catch (error) {
              failed(error);
            }
          });
        }),
      );
    });
    parser.on("error", fail);
    parser.on("close", () => {
      settle.resolve();
      if (!file) Promise.all(pending).then(() => resolve({ fields, file: null, finished }), fail);
    });
    req.on("error", fail);
    req.pipe(parser);
  });
}

/** The checksum field a form may carry (x-amz-checksum-sha256 and the like), checked after the upload. */
function declaredChecksum(fields: FormFields) {
  const algorithm = checksumAlgorithms.find((a) => fields.has(checksumHeader(a)));
  return algorithm ? { algorithm, expected: fields.get(checksumHeader(algorithm))! } : null;
}

/** Where S3 sends the browser after the upload: success_action_redirect, with the object named. */
function redirectTo(fields: FormFields, bucket: string, key: string, etag: string): string | null {
  const target = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (!target) return null;
  try {
    const url = new URL(target);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  } catch {
    return null;
  }
  const query = new URLSearchParams({ bucket, key, etag: quoteEtag(etag) }).toString().replace(/\+/g, "%20");
  return `${target}${target.includes("?") ? "&" : "?"}${query}`;
}

export async function postObject(req: IncomingMessage, bucketName: string | null): Promise<XmlAnswer> {
  if (!bucketName) throw new CloudError(405, "MethodNotAllowed", "The specified method is not allowed against this resource.");
  const bucket = await findBucket(bucketName);
  if (!bucket) throw noSuchBucket(bucketName);
  const form = await readForm(req);
  const { fields } = form;
  if (!fields.has("policy")) {
    // No policy, no signer: an anonymous upload, and no bucket here accepts those.
    if (fields.has("awsaccesskeyid") || fields.has("x-amz-credential")) throw new CloudError(400, "InvalidArgument", "Bucket POST must contain a field named 'policy'.", { ArgumentName: "policy" });
    throw accessDenied();
  }
  const account = await policySigner(fields);
  if (account !== bucket.accountId) throw accessDenied();
  if (!form.file) throw new CloudError(400, "InvalidArgument", "POST requires exactly one file upload per request.", { ArgumentName: "file" });
  if (!fields.get("key"))
    throw new CloudError(400, "InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", { ArgumentName: "key" });
  const key = fields.get("key")!.replaceAll("${filename}", form.file.filename.split(/[\\/]/).pop() ?? "");
  validateObjectKey(key);
  // The bucket is a field of every form: the one in the URL, whatever the form says.
  const checked = new Map([...fields, ["key", key], ["bucket", bucketName]]);
  const policy = parsePolicy(fields.get("policy")!);
  checkPolicy(policy, checked);
  const acl = fields.get("acl");
  if (acl !== undefined && acl !== "private" && acl !== "bucket-owner-full-control") throw new CloudError(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
  const tags = fields.has("tagging") ? tagsFromXml(fields.get("tagging")!) : {};
  const checksum = declaredChecksum(fields);

  const md5 = createHash("md5");
  const sum = checksum ? checksummer(checksum.algorithm) : null;
  const tempPath = newTempPath();
  let size: number;
  try {
    size = await streamToFile(form.file.stream, tempPath, Math.min(policy.maxBytes, MAX_PUT_BYTES), (chunk) => {
      md5.update(chunk);
      sum?.update(chunk);
    });
    await form.finished;
    if (size < policy.minBytes) throw new CloudError(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size");
    if (checksum && sum!.digest() !== checksum.expected) throw new CloudError(400, "BadDigest", `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
  } catch (error) {
    await removeTemp(tempPath);
    throw error;
  }
  const blob = await commitOrDiscard(tempPath);
  const etag = md5.digest("hex");
  const written = await writeObject({
    bucket: bucketName,
    key,
    blob,
    size,
    etag,
    ...objectHeadersOf(fields),
    checksum: checksum ? { algorithm: checksum.algorithm, value: checksum.expected } : null,
    partsCount: null,
    tags,
  });
  for (const gone of written.removed) await removeBlob(gone);

  const location = `http://${req.headers.host ?? "localhost"}/${bucketName}/${encodeURIComponent(key)}`;
  const headers: Record<string, string> = { ETag: quoteEtag(etag), Location: location, ...(written.versionId ? { "x-amz-version-id": written.versionId } : {}) };
  const redirect = redirectTo(fields, bucketName, key, etag);
  if (redirect) return { status: 303, headers: { ...headers, Location: redirect } };
  const status = fields.get("success_action_status");
  if (status === "200") return { status: 200, headers };
  if (status === "201") return { status: 201, headers, xml: { root: "PostResponse", body: { Location: location, Bucket: bucketName, Key: key, ETag: quoteEtag(etag) } } };
  return { status: 204, headers };
}
