import { createHmac, timingSafeEqual } from "node:crypto";
import { CloudError } from "../../errors";
import { callerKey, SignatureError } from "../../sigv4/verify";
import { signingKey } from "../../sigv4/canonical";

// The policy of a browser form upload (S3 POST Object): a base64 JSON document signed with the
// uploader's secret key, naming when it expires and the conditions every form field must meet.
// Who signed it is decided here; what it allows is checked against the whole form before one
// byte of the file is stored.

/** Form fields, by lower-cased name (S3 compares field names without case). */
export type FormFields = Map<string, string>;

type Condition = { kind: "eq" | "starts-with"; field: string; value: string } | { kind: "content-length-range"; min: number; max: number };

export interface PostPolicy {
  conditions: Condition[];
  /** The size bounds of the file, from content-length-range. */
  minBytes: number;
  maxBytes: number;
}

const invalidPolicy = (why: string) => new CloudError(400, "InvalidPolicyDocument", `Invalid Policy: ${why}`);
const denied = (why: string) => new CloudError(403, "AccessDenied", `Invalid according to Policy: ${why}`);
const missingField = (name: string) =>
  new CloudError(400, "InvalidArgument", `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, { ArgumentName: name });

/** Fields that are part of the request's machinery and need no condition. */
function exempt(name: string): boolean {
  return ["file", "policy", "signature", "awsaccesskeyid", "x-amz-signature"].includes(name) || name.startsWith("x-ignore-") || name.startsWith("x-amz-checksum-");
}

function parseCondition(raw: unknown): Condition {
  if (Array.isArray(raw)) {
    const op = String(raw[0]).toLowerCase();
    if (op === "content-length-range") {
      const [, min, max] = raw as unknown[];
      if (raw.length !== 3 || !Number.isSafeInteger(min) || !Number.isSafeInteger(max) || (min as number) < 0 || (max as number) < (min as number))
        throw invalidPolicy("content-length-range needs two whole numbers, 0 <= min <= max.");
      return { kind: "content-length-range", min: min as number, max: max as number };
    }
    if ((op === "eq" || op === "starts-with") && raw.length === 3 && typeof raw[1] === "string" && raw[1].startsWith("$") && typeof raw[2] === "string")
      return { kind: op, field: raw[1].slice(1).toLowerCase(), value: raw[2] };
    throw invalidPolicy(`Invalid condition ${JSON.stringify(raw)}.`);
  }
  if (raw && typeof raw === "object") {
    const entries = Object.entries(raw);
    if (entries.length === 1 && typeof entries[0]![1] === "string") return { kind: "eq", field: entries[0]![0].toLowerCase(), value: entries[0]![1] };
  }
  throw invalidPolicy(`Invalid condition ${JSON.stringify(raw)}.`);
}

/** Decodes a policy; a malformed one is a 400, an expired one a 403, as on S3. */
export function parsePolicy(encoded: string, now = Date.now()): PostPolicy {
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    throw invalidPolicy("the policy is not base64-encoded JSON.");
  }
  if (!document || typeof document !== "object" || Array.isArray(document)) throw invalidPolicy("the policy must be a JSON object.");
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (typeof expiration !== "string") throw invalidPolicy("Policy missing expiration.");
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(expiration) || Number.isNaN(Date.parse(expiration))) throw invalidPolicy("Invalid 'expiration' value: an ISO 8601 UTC date is expected.");
  if (!Array.isArray(conditions)) throw invalidPolicy("Policy missing conditions.");
  if (Date.parse(expiration) < now) throw denied("Policy expired.");
  const parsed = conditions.map(parseCondition);
  const ranges = parsed.filter((c) => c.kind === "content-length-range");
  return {
    conditions: parsed,
    minBytes: Math.max(0, ...ranges.map((r) => r.min)),
    maxBytes: Math.min(Number.MAX_SAFE_INTEGER, ...ranges.map((r) => r.max)),
  };
}

/** Every condition holds, and every field the form sends is named by a condition. */
export function checkPolicy(policy: PostPolicy, fields: FormFields): void {
  for (const condition of policy.conditions) {
    if (condition.kind === "content-length-range") continue;
    const value = fields.get(condition.field) ?? "";
    const holds = condition.kind === "eq" ? value === condition.value : value.startsWith(condition.value);
    if (!holds) throw denied(`Policy Condition failed: ["${condition.kind}", "$${condition.field}", "${condition.value}"]`);
  }
  const named = new Set(policy.conditions.flatMap((c) => (c.kind === "content-length-range" ? [] : [c.field])));
  const extra = [...fields.keys()].filter((name) => !exempt(name) && !named.has(name));
  if (extra.length) throw denied(`Extra input fields: ${extra.join(", ")}`);
}

function sameSignature(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The account whose key signed the form's policy: SigV4 (x-amz-algorithm, x-amz-credential,
 * x-amz-date, x-amz-signature, as the SDKs' presigned POST sends) or the older form with
 * AWSAccessKeyId and an HMAC-SHA1 signature.
 */
export async function policySigner(fields: FormFields): Promise<string> {
  const policy = fields.get("policy")!;
  if (fields.has("x-amz-algorithm") || fields.has("x-amz-credential")) {
    for (const name of ["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature"]) if (!fields.get(name)) throw missingField(name);
    if (fields.get("x-amz-algorithm") !== "AWS4-HMAC-SHA256") throw new CloudError(400, "InvalidArgument", "x-amz-algorithm must be AWS4-HMAC-SHA256.");
    const [accessKeyId, date, region, service, terminator] = fields.get("x-amz-credential")!.split("/");
    if (!accessKeyId || !date || !region || service !== "s3" || terminator !== "aws4_request")
      throw new CloudError(400, "InvalidArgument", "x-amz-credential must be <key>/<date>/<region>/s3/aws4_request.");
    const key = await signerKey(accessKeyId, fields.get("x-amz-security-token"));
    const expected = createHmac("sha256", signingKey(key.secretAccessKey, date, region, "s3"))
      .update(policy)
      .digest();
    if (!sameSignature(Buffer.from(fields.get("x-amz-signature")!, "hex"), expected)) throw signatureMismatch();
    return key.accountId;
  }
  const accessKeyId = fields.get("awsaccesskeyid");
  if (!accessKeyId) throw missingField("AWSAccessKeyId");
  const signature = fields.get("signature");
  if (!signature) throw missingField("Signature");
  const key = await signerKey(accessKeyId, fields.get("x-amz-security-token"));
  const expected = createHmac("sha1", key.secretAccessKey).update(policy).digest();
  if (!sameSignature(Buffer.from(signature, "base64"), expected)) throw signatureMismatch();
  return key.accountId;
}

/** The signing key, long-term or temporary (with the form's x-amz-security-token), refused as S3 refuses it. */
async function signerKey(accessKeyId: string, token: string | undefined) {
  try {
    return await callerKey(accessKeyId, token);
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    const [status, code] = error.problem === "token_expired" ? [400, "ExpiredToken"] : error.problem === "bad_token" ? [400, "InvalidToken"] : [403, "InvalidAccessKeyId"];
    throw new CloudError(status, code, error.message);
  }
}

const signatureMismatch = () => new CloudError(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
