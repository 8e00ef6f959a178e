import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { findAccessKey } from "@/server/local-keys/access-keys";
import { findSession, stillGranted, type AssumedRole } from "../services/sts/sessions";
import { canonicalHeaders, canonicalQuery, canonicalUri, hmac, sha256Hex, signingKey } from "./canonical";

/** `token_expired`/`bad_token`: temporary credentials (STS AssumeRole) past their expiry, or without their session token. */
export type SignatureProblem = "missing" | "malformed" | "unknown_key" | "mismatch" | "expired" | "skewed" | "token_expired" | "bad_token";

/** Why a request was not accepted as signed; each service turns it into its own AWS error. */
export class SignatureError extends Error {
  constructor(
    readonly problem: SignatureProblem,
    message: string,
  ) {
    super(message);
  }
}

export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

export interface SignedRequest extends Credential {
  accountId: string;
  /** Set when the request was signed with temporary credentials of an assumed role. */
  assumedRole?: AssumedRole;
  presigned: boolean;
  amzDate: string;
  signature: string;
  /** The payload hash the signature covers (a hex digest, or UNSIGNED-PAYLOAD / STREAMING-…). */
  payloadHash: string;
  signingKey: Buffer;
  scope: string;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGN_SECONDS = 7 * 24 * 60 * 60;

function parseCredential(value: string): Credential {
  const parts = value.split("/");
  if (parts.length !== 5 || parts[4] !== "aws4_request" || parts.some((p) => p === "")) {
    throw new SignatureError("malformed", `Invalid credential scope "${value}": expected <key>/<date>/<region>/<service>/aws4_request.`);
  }
  const [accessKeyId, date, region, service] = parts as [string, string, string, string];
  return { accessKeyId, date, region, service };
}

function parseAmzDate(value: string | undefined): number {
  const m = value?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) throw new SignatureError("malformed", "X-Amz-Date is missing or not in the form YYYYMMDDTHHMMSSZ.");
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

interface AuthParts extends Credential {
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  presigned: boolean;
  expires?: number;
}

/**
 * SigV4 takes the request time from X-Amz-Date or, without it, from the Date header (an HTTP
 * date, which some clients sign instead); either way the string to sign holds it as YYYYMMDDTHHMMSSZ.
 */
function basicDate(date: string | undefined): string {
  const time = date ? Date.parse(date) : NaN;
  return Number.isNaN(time)
    ? ""
    : new Date(time)
        .toISOString()
        .replace(/[-:]/g, "")
        .replace(/\.\d{3}/, "");
}

/** Reads the credential scope without checking anything: enough to route by service. */
export function readAuthParts(req: IncomingMessage, pairs: [string, string][]): AuthParts {
  const header = req.headers.authorization;
  if (header) {
    if (!header.startsWith("AWS4-HMAC-SHA256 ")) {
      throw new SignatureError("malformed", "Only AWS4-HMAC-SHA256 signatures are supported.");
    }
    const fields = Object.fromEntries(
      header
        .slice("AWS4-HMAC-SHA256 ".length)
        .split(",")
        .map((f) => f.trim().split("=") as [string, string]),
    );
    if (!fields.Credential || !fields.SignedHeaders || !fields.Signature) {
      throw new SignatureError("malformed", "Authorization header requires Credential, SignedHeaders and Signature.");
    }
    const amzDate = (req.headers["x-amz-date"] as string | undefined) ?? basicDate(req.headers.date);
    return { ...parseCredential(fields.Credential), signedHeaders: fields.SignedHeaders.split(";"), signature: fields.Signature, amzDate, presigned: false };
  }
  const query = new Map(pairs);
  if (query.has("X-Amz-Signature") || query.has("X-Amz-Credential")) {
    if (query.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") {
      throw new SignatureError("malformed", "X-Amz-Algorithm must be AWS4-HMAC-SHA256.");
    }
    const expires = Number(query.get("X-Amz-Expires"));
    if (!Number.isInteger(expires)) throw new SignatureError("malformed", "X-Amz-Expires must be a whole number of seconds.");
    // A URL that could never be valid (0, negative, beyond a week) is refused as an expired one is.
    if (expires < 1 || expires > MAX_PRESIGN_SECONDS) throw new SignatureError("expired", "X-Amz-Expires must be a number of seconds between 1 and 604800.");
    return {
      ...parseCredential(query.get("X-Amz-Credential") ?? ""),
      signedHeaders: (query.get("X-Amz-SignedHeaders") ?? "").split(";"),
      signature: query.get("X-Amz-Signature") ?? "",
      amzDate: query.get("X-Amz-Date") ?? "",
      presigned: true,
      expires,
    };
  }
  throw new SignatureError("missing", "Request is missing Authentication Token.");
}

/**
 * The key a request is signed with: a long-term key (AKIA), or temporary credentials (ASIA) that
 * are valid only with their session token and until they expire, as in AWS.
 */
export async function callerKey(accessKeyId: string, token: string | undefined, now = Date.now()): Promise<{ accountId: string; secretAccessKey: string; assumedRole?: AssumedRole }> {
  if (!accessKeyId.startsWith("ASIA")) {
    const key = await findAccessKey({ accessKeyId });
    if (!key) throw new SignatureError("unknown_key", "The AWS Access Key Id you provided does not exist in our records.");
    return key;
  }
  const session = await findSession(accessKeyId);
  if (!session || !token || !sameText(token, session.sessionToken)) throw new SignatureError("bad_token", "The security token included in the request is invalid.");
  if (now >= session.expiration.getTime()) throw new SignatureError("token_expired", "The security token included in the request is expired");
  // Deleting the role, or changing its trust policy so that it no longer trusts the caller, ends its sessions at once.
  if (!(await stillGranted(session, now))) throw new SignatureError("bad_token", "The security token included in the request is invalid.");
  return session;
}

function sameText(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Verifies a request's signature against the access key it names. `payloadHash` is what the
 * canonical request uses: the x-amz-content-sha256 header when sent, else the body's digest.
 */
export async function verifySignature(req: IncomingMessage, rawPath: string, pairs: [string, string][], parts: AuthParts, payloadHash: string, now = Date.now()): Promise<SignedRequest> {
  const time = parseAmzDate(parts.amzDate);
  if (parts.amzDate.slice(0, 8) !== parts.date) throw new SignatureError("malformed", "The credential date does not match X-Amz-Date.");
  if (parts.presigned) {
    // Dated ahead (beyond the clock skew allowed), a URL would outlive the 7-day cap on X-Amz-Expires.
    if (time - now > MAX_SKEW_MS) throw new SignatureError("expired", "Request is not valid yet");
    if (now > time + parts.expires! * 1000) throw new SignatureError("expired", "Request has expired.");
  } else if (Math.abs(now - time) > MAX_SKEW_MS) {
    throw new SignatureError("skewed", "The difference between the request time and the current time is too large.");
  }
  if (!parts.signedHeaders.includes("host")) throw new SignatureError("malformed", "The host header must be signed.");
  const token = (req.headers["x-amz-security-token"] as string | undefined) ?? pairs.find(([k]) => k === "X-Amz-Security-Token")?.[1];
  const key = await callerKey(parts.accessKeyId, token, now);
  const headers = canonicalHeaders(req.rawHeaders, parts.signedHeaders);
  if (headers === null) throw new SignatureError("mismatch", "A signed header is missing from the request.");
  const canonicalRequest = [
    req.method,
    canonicalUri(rawPath, parts.service),
    canonicalQuery(pairs, parts.presigned ? "X-Amz-Signature" : undefined),
    headers,
    parts.signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${parts.date}/${parts.region}/${parts.service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", parts.amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const kSigning = signingKey(key.secretAccessKey, parts.date, parts.region, parts.service);
  const expected = hmac(kSigning, stringToSign);
  const given = Buffer.from(parts.signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new SignatureError("mismatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.");
  }
  return {
    ...parts,
    accountId: key.accountId,
    ...(key.assumedRole ? { assumedRole: key.assumedRole } : {}),
    payloadHash,
    signingKey: kSigning,
    scope,
  };
}
