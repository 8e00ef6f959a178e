/** An error as an AWS service returns it; each protocol renders it in its own format. */
export class CloudError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Protocol-specific extra fields (S3: BucketName, Key…; Clean Rooms: reason, fieldList…). */
    readonly extra: Record<string, unknown> = {},
    /** Headers the answer carries besides the error document (S3: x-amz-delete-marker…). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = code;
  }
}

export const notImplemented = (what: string) => new CloudError(501, "NotImplemented", `${what} is not supported by the local cloud.`);
