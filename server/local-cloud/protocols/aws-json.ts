import type { z } from "zod";
import { readBody } from "../body";
import { CloudError } from "../errors";
import type { CloudService, ServiceContext } from "../service";
import { sha256Hex } from "../sigv4/canonical";
import type { SignedRequest } from "../sigv4/verify";
import { parseInput, parseJsonBody } from "../validation";
import { jsonSignatureErrors, sendJson, sendJsonError } from "./json";

// awsJson1.1: `POST /` with `X-Amz-Target: <Prefix>.<Operation>` and a JSON body.

export interface JsonOperation<S extends z.ZodType = z.ZodType> {
  input: S;
  run(input: z.output<S>, caller: SignedRequest): Promise<unknown>;
}

export function operation<S extends z.ZodType>(input: S, run: (input: z.output<S>, caller: SignedRequest) => Promise<unknown>): JsonOperation<S> {
  return { input, run };
}

const contentType = "application/x-amz-json-1.1";

export function awsJsonService(name: string, targetPrefix: string, operations: Record<string, JsonOperation>): CloudService {
  return {
    name,
    async handle(ctx: ServiceContext) {
      const body = await readBody(ctx.req, 4 * 1024 * 1024);
      const caller = await ctx.verify(sha256Hex(body));
      const target = String(ctx.req.headers["x-amz-target"] ?? "");
      if (ctx.req.method !== "POST" || !target.startsWith(`${targetPrefix}.`)) {
        throw new CloudError(400, "UnknownOperationException", `Expected POST with X-Amz-Target: ${targetPrefix}.<Operation>.`);
      }
      const op = operations[target.slice(targetPrefix.length + 1)];
      if (!op) throw new CloudError(400, "UnknownOperationException", `The operation ${target} is not supported by the local cloud.`);
      const input = parseInput(op.input, parseJsonBody(body));
      sendJson(ctx.res, 200, await op.run(input, caller), ctx.requestId, contentType);
    },
    signatureError(error) {
      const [status, code] = jsonSignatureErrors[error.problem];
      return new CloudError(status, code, error.message);
    },
    sendError(ctx, error) {
      sendJsonError(ctx.res, error, ctx.requestId, contentType);
    },
  };
}
