import { protectedQueryResources } from "@/server/config";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import { randomUUID } from "node:crypto";
import { log } from "@/server/log";
import { CloudError } from "./errors";
import { sendJsonError } from "./protocols/json";
import type { CloudService, ServiceContext } from "./service";
import { queryPairs } from "./sigv4/canonical";
import { readAuthParts, SignatureError, verifySignature } from "./sigv4/verify";
import { cleanrooms } from "./services/cleanrooms";
import { glue } from "./services/glue";
import { s3 } from "./services/s3";
import { iam } from "./services/iam";
import { quicksight } from "./services/quicksight";
import { sts } from "./services/sts";

const services = new Map<string, CloudService>([s3, sts, iam, glue, cleanrooms, quicksight].map((service) => [service.name, service]));

/** Before the signature is read, the service is guessed from the request's shape (for errors). */
function guessService(req: IncomingMessage, rawQuery: string): CloudService {
  if (req.headers["x-amz-target"]) return jsonFallback;
  if (/(^|&)Action=/.test(rawQuery) || String(req.headers["content-type"]).startsWith("application/x-www-form-urlencoded")) return sts;
  return s3;
}

// Answers requests for services the local cloud does not serve, and unsigned JSON requests.
const jsonFallback: CloudService = {
  name: "unknown",
  async handle() {
    throw new CloudError(400, "UnknownServiceException", "The local cloud serves s3, sts, iam, glue, cleanrooms and quicksight.");
  },
  signatureError(error) {
    return new CloudError(error.problem === "missing" ? 403 : 400, "MissingAuthenticationTokenException", error.message);
  },
  sendError(ctx, error) {
    sendJsonError(ctx.res, error, ctx.requestId, "application/x-amz-json-1.1");
  },
};

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? "" : url.slice(q + 1);
  let service = guessService(req, rawQuery);
  try {
    let pairs: [string, string][];
    try {
      pairs = queryPairs(rawQuery);
    } catch {
      throw new CloudError(400, "InvalidArgument", "The query string is not valid percent-encoding.");
    }
    // Browsers send CORS preflights unsigned; only S3 answers them, from the bucket's rules.
    if (req.method === "OPTIONS") {
      service = s3;
      return await s3.preflight!({ req, res, requestId, rawPath, pairs, query: new Map(pairs) });
    }
    if (isFormUpload(req, pairs)) {
      service = s3;
      return await s3.formUpload!({ req, res, requestId, rawPath, pairs, query: new Map(pairs) });
    }
    const parts = readAuthParts(req, pairs);
    service = services.get(parts.service) ?? jsonFallback;
    // No AWS name holds NUL, the store cannot keep one, and C code would read only what precedes it.
    if (holdsNul(rawPath) || pairs.some(([k, v]) => k.includes("\u0000") || v.includes("\u0000"))) {
      throw new CloudError(400, service === s3 ? "InvalidArgument" : "ValidationException", "The request's path and query may not contain the NUL character (U+0000).");
    }
    const ctx: ServiceContext = {
      req,
      res,
      requestId,
      rawPath,
      pairs,
      query: new Map(pairs),
      presigned: parts.presigned,
      verify: (payloadHash) => verifySignature(req, rawPath, pairs, parts, payloadHash),
    };
    await service.handle(ctx);
  } catch (caught) {
    let error: CloudError;
    if (caught instanceof SignatureError && caught.problem === "missing" && service.unsignedError) error = await service.unsignedError({ req, rawPath }).catch(() => service.signatureError(caught));
    else if (caught instanceof SignatureError) error = service.signatureError(caught);
    else if (caught instanceof CloudError) error = caught;
    else {
      log("error", "local cloud request failed", { requestId, method: req.method, path: rawPath, error: caught });
      error = new CloudError(500, "InternalError", "We encountered an internal error. Please try again.");
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // A body we never read would otherwise stall a keep-alive connection.
    if (!req.complete) res.setHeader("Connection", "close");
    service.sendError({ req, res, requestId }, error);
  }
}

/** A browser form's POST: multipart/form-data, with no signature on the request itself. */
function isFormUpload(req: IncomingMessage, pairs: [string, string][]): boolean {
  return req.method === "POST" && /^multipart\/form-data/i.test(String(req.headers["content-type"] ?? "")) && !req.headers.authorization && !pairs.some(([k]) => k === "X-Amz-Signature");
}

function holdsNul(rawPath: string): boolean {
  if (!/%00/.test(rawPath)) return false;
  try {
    return decodeURIComponent(rawPath).includes("\u0000");
  } catch {
    return true;
  }
}

export interface LocalCloud {
  server: http.Server;
  port: number;
  close(): Promise<void>;
}

/** Starts the AWS-compatible endpoint; requests are routed by the SigV4 credential scope. */
export async function startLocalCloud({ port, host = "127.0.0.1" }: { port: number; host?: string }): Promise<LocalCloud> {
  // A protected-query setting that cannot be read stops the start, saying which, rather than
  // failing the first query after it was accepted.
  protectedQueryResources();
  const server = http.createServer((req, res) => void handle(req, res));
  // S3 ignores an Expect header it does not know; Node would answer 417 before we see the request.
  server.on("checkExpectation", (req, res) => void handle(req, res));
  server.requestTimeout = 0; // large uploads take as long as they take
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as { port: number }).port;
  return {
    server,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
