import { createHash, createHmac } from "node:crypto";

// The pieces of an AWS Signature Version 4 canonical request, built from what arrived on the wire.

/** RFC 3986 encoding, as SigV4 wants it. */
export function uriEscape(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac("sha256", key).update(data).digest();
}

/**
 * S3 signs the path exactly as sent. Every other service signs it normalized (dot segments and
 * empty segments removed) and encoded once more, as the SDKs and the CLI do.
 */
export function canonicalUri(rawPath: string, service: string): string {
  if (service === "s3") return rawPath || "/";
  const segments: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === "..") segments.pop();
    else segments.push(segment);
  }
  const normalized = `/${segments.join("/")}${segments.length > 0 && rawPath.endsWith("/") ? "/" : ""}`;
  return uriEscape(normalized).replace(/%2F/g, "/");
}

/** Parses a raw query string into decoded pairs; throws on malformed percent-encoding. */
export function queryPairs(rawQuery: string): [string, string][] {
  if (!rawQuery) return [];
  return rawQuery
    .split("&")
    .filter((part) => part.length > 0)
    .map((part) => {
      const eq = part.indexOf("=");
      const key = eq === -1 ? part : part.slice(0, eq);
      const value = eq === -1 ? "" : part.slice(eq + 1);
      return [decodeURIComponent(key), decodeURIComponent(value)];
    });
}

export function canonicalQuery(pairs: [string, string][], omit?: string): string {
  return pairs
    .filter(([key]) => key !== omit)
    .map(([key, value]) => [uriEscape(key), uriEscape(value)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join("&");
}

/**
 * A header value as the client wrote it: Node reads header bytes as Latin-1, clients send (and
 * sign) UTF-8, so non-ASCII values are read again as UTF-8 when they are valid UTF-8.
 */
export function headerText(value: string): string {
  if (/^[\u0000-\u007f]*$/.test(value)) return value;
  const bytes = Buffer.from(value, "latin1");
  const text = bytes.toString("utf8");
  return Buffer.from(text, "utf8").equals(bytes) ? text : value;
}

/** Values of the signed headers, from Node's rawHeaders (which keep repeats in order). */
export function canonicalHeaders(rawHeaders: string[], signedHeaders: string[]): string | null {
  const values = new Map<string, string[]>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    const list = values.get(name) ?? [];
    list.push(
      headerText(rawHeaders[i + 1]!)
        .trim()
        .replace(/\s+/g, " "),
    );
    values.set(name, list);
  }
  let out = "";
  for (const name of signedHeaders) {
    const list = values.get(name);
    if (!list) return null; // a header that was signed did not arrive
    out += `${name}:${list.join(",")}\n`;
  }
  return out;
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
}
