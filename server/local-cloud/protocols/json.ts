import type { ServerResponse } from "node:http";
import type { CloudError } from "../errors";

export function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string, contentType = "application/json"): void {
  if (status === 204) {
    res.writeHead(204, { "x-amzn-RequestId": requestId });
    res.end();
    return;
  }
  const data = Buffer.from(JSON.stringify(body ?? {}));
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": String(data.length), "x-amzn-RequestId": requestId });
  res.end(data);
}

/**
 * awsJson1.1 (Glue) and restJson1 (Clean Rooms) errors: the type in x-amzn-ErrorType and
 * __type, the message in the body, with the service's extra fields beside it.
 */
export function sendJsonError(res: ServerResponse, error: CloudError, requestId: string, contentType: string): void {
  const data = Buffer.from(JSON.stringify({ __type: error.code, message: error.message, ...error.extra }));
  res.writeHead(error.status, {
    "Content-Type": contentType,
    "Content-Length": String(data.length),
    "x-amzn-ErrorType": error.code,
    "x-amzn-RequestId": requestId,
  });
  res.end(data);
}

/** How awsJson1.1 and restJson1 services name signature problems (all 403). */
export const jsonSignatureErrors = {
  missing: [403, "MissingAuthenticationTokenException"],
  malformed: [403, "IncompleteSignatureException"],
  unknown_key: [403, "UnrecognizedClientException"],
  mismatch: [403, "InvalidSignatureException"],
  expired: [403, "InvalidSignatureException"],
  skewed: [403, "InvalidSignatureException"],
  token_expired: [403, "ExpiredTokenException"],
  bad_token: [403, "UnrecognizedClientException"],
} as const;
