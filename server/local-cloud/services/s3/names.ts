import { CloudError } from "../../errors";

// Bucket naming rules for general purpose buckets, as S3 enforces them.
export function validateBucketName(name: string): void {
  const invalid = (why: string) => new CloudError(400, "InvalidBucketName", `The specified bucket is not valid: ${why}.`, { BucketName: name });
  if (name.length < 3 || name.length > 63) throw invalid("a bucket name must be 3 to 63 characters long");
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    throw invalid("use only lowercase letters, numbers, dots and hyphens, and begin and end with a letter or number");
  }
  if (name.includes("..")) throw invalid("a bucket name must not contain two adjacent periods");
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) throw invalid("a bucket name must not be formatted as an IP address");
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name)) {
    throw invalid("that prefix or suffix is reserved");
  }
}

/** Object keys are at most 1,024 bytes of UTF-8; they never become file paths here. */
export function validateObjectKey(key: string): void {
  if (key.length === 0) throw new CloudError(400, "InvalidArgument", "An object key must not be empty.");
  if (Buffer.byteLength(key, "utf8") > 1024) throw new CloudError(400, "KeyTooLongError", "Your key is too long.", { Key: key.slice(0, 64) });
  if (key.includes("\u0000")) throw new CloudError(400, "InvalidArgument", "An object key must not contain a NUL character.");
}
