import type { z } from "zod";
import { readBody } from "../body";
import { CloudError } from "../errors";
import type { CloudService, ServiceContext } from "../service";
import { sha256Hex } from "../sigv4/canonical";
import type { SignedRequest } from "../sigv4/verify";
import { parseInput, parseJsonBody } from "../validation";
import { jsonSignatureErrors, sendJson, sendJsonError } from "./json";

// restJson1: the operation is the method and the path template; labels come from the path,
// some members from the query string, the rest from a JSON body.

export interface RestCall<I> {
  input: I;
  caller: SignedRequest;
  /** Every value of a repeated query parameter (e.g. tagKeys). */
  queryAll(name: string): string[];
  /** A request header's value (lower-case name), when it was given once. */
  header(name: string): string | undefined;
}

export interface RestRoute {
  /** The AWS operation's name (StartProtectedQuery): one grep finds its handler. */
  operation: string;
  method: string;
  segments: string[];
  status: number;
  input: z.ZodType;
  run(call: RestCall<unknown>): Promise<unknown>;
}

export function route<S extends z.ZodType>(operation: string, method: string, template: string, status: number, input: S, run: (call: RestCall<z.output<S>>) => Promise<unknown>): RestRoute {
  return { operation, method, segments: template.split("/").filter(Boolean), status, input, run: run as (call: RestCall<unknown>) => Promise<unknown> };
}

function match(route: RestRoute, method: string, segments: string[]): Record<string, string> | null {
  if (route.method !== method || route.segments.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const template = route.segments[i]!;
    if (template.startsWith("{")) params[template.slice(1, -1)] = segments[i]!;
    else if (template !== segments[i]) return null;
  }
  return params;
}

const contentType = "application/json";

/** Clean Rooms reports every input problem with a reason and the offending fields. */
const fieldValidation = (problems: { name: string; message: string }[]) => ({ reason: "FIELD_VALIDATION_FAILED", fieldList: problems });

/** How a restJson1 service names invalid input: Clean Rooms' ValidationException with its field list, or another service's own error. */
export interface InvalidInput {
  code: string;
  extra: (problems: { name: string; message: string }[]) => Record<string, unknown>;
}

const cleanRoomsInvalidInput: InvalidInput = { code: "ValidationException", extra: fieldValidation };

export function restJsonService(name: string, routes: RestRoute[], invalid: InvalidInput = cleanRoomsInvalidInput): CloudService {
  return {
    name,
    async handle(ctx: ServiceContext) {
      const body = await readBody(ctx.req, 2 * 1024 * 1024);
      const caller = await ctx.verify(sha256Hex(body));
      let segments: string[];
      try {
        segments = ctx.rawPath.split("/").filter(Boolean).map(decodeURIComponent);
      } catch {
        throw new CloudError(400, "ValidationException", "The request path is not valid percent-encoding.", { reason: "FIELD_VALIDATION_FAILED" });
      }
      const method = ctx.req.method ?? "GET";
      let found: { route: RestRoute; params: Record<string, string> } | null = null;
      for (const candidate of routes) {
        const params = match(candidate, method, segments);
        if (params) {
          found = { route: candidate, params };
          break;
        }
      }
      if (!found) throw new CloudError(404, "UnknownOperationException", `No operation matches ${method} ${ctx.rawPath}.`);
      const query: Record<string, string> = {};
      for (const [key, value] of ctx.pairs) query[key] = value;
      const parsedBody = parseJsonBody(body);
      if (parsedBody !== null && typeof parsedBody !== "object") throw new CloudError(400, "SerializationException", "The request body must be a JSON object.");
      const raw = { ...(parsedBody as object), ...query, ...found.params };
      const input = parseInput(found.route.input, raw, invalid.extra, invalid.code);
      const output = await found.route.run({
        input,
        caller,
        queryAll: (key) => ctx.pairs.filter(([k]) => k === key).map(([, v]) => v),
        header: (name) => {
          const value = ctx.req.headers[name];
          return typeof value === "string" ? value : undefined;
        },
      });
      sendJson(ctx.res, found.route.status, output, ctx.requestId, contentType);
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
