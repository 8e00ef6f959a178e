import type { IncomingMessage, ServerResponse } from "node:http";
import type { CloudError } from "./errors";
import type { SignatureError, SignedRequest } from "./sigv4/verify";

export interface ServiceContext {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** The path as sent, still percent-encoded. */
  rawPath: string;
  /** Decoded query parameters, in order. */
  pairs: [string, string][];
  query: Map<string, string>;
  /** Whether the signature came in the query string (a presigned URL). */
  presigned: boolean;
  /** Checks the signature over the given payload hash; resolves to the caller. */
  verify(payloadHash: string): Promise<SignedRequest>;
}

/** One AWS service of the local cloud: how it handles requests and how it reports errors. */
export interface CloudService {
  /** The signing name in the credential scope (s3, sts, glue, cleanrooms). */
  name: string;
  handle(ctx: ServiceContext): Promise<void>;
  /** Answers an unsigned CORS preflight (OPTIONS), where the service has one (S3). */
  preflight?(ctx: Omit<ServiceContext, "verify" | "presigned">): Promise<void>;
  /** Answers an upload from an HTML form, signed by a policy in the form rather than the request (S3). */
  formUpload?(ctx: Omit<ServiceContext, "verify" | "presigned">): Promise<void>;
  signatureError(error: SignatureError): CloudError;
  /** How the service refuses a request with no signature at all, where it depends on the request (S3). */
  unsignedError?(ctx: Pick<ServiceContext, "req" | "rawPath">): Promise<CloudError>;
  sendError(ctx: Pick<ServiceContext, "req" | "res" | "requestId">, error: CloudError): void;
}
