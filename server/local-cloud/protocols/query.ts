import { readBody } from "../body";
import { CloudError } from "../errors";
import type { CloudService, ServiceContext } from "../service";
import { sha256Hex } from "../sigv4/canonical";
import type { SignatureProblem, SignedRequest } from "../sigv4/verify";
import { sendQueryError, sendXml, toXml } from "./xml";

// The query protocol (STS): `Action=` and its parameters come form-encoded in the body (or the
// query string); each action's handler returns its result members, and this file alone writes
// the `<ActionResponse><ActionResult>…` document and the errors.

/** How query-protocol services (STS, IAM) name signature problems. */
export const querySignatureErrors = {
  missing: [403, "MissingAuthenticationToken"],
  malformed: [400, "IncompleteSignature"],
  unknown_key: [403, "InvalidClientTokenId"],
  mismatch: [403, "SignatureDoesNotMatch"],
  expired: [403, "ExpiredToken"],
  skewed: [403, "SignatureDoesNotMatch"],
  token_expired: [403, "ExpiredToken"],
  bad_token: [403, "InvalidClientTokenId"],
} as const satisfies Record<SignatureProblem, readonly [number, string]>;

export interface QueryCall {
  params: URLSearchParams;
  caller: SignedRequest;
}

export type QueryAction = (call: QueryCall) => Promise<Record<string, unknown>>;

export function queryService(
  name: string,
  namespace: string,
  actions: Record<string, QueryAction>,
  signatureErrors: Record<SignatureProblem, readonly [number, string]> = querySignatureErrors,
): CloudService {
  return {
    name,
    async handle(ctx: ServiceContext) {
      const body = await readBody(ctx.req, 64 * 1024);
      const caller = await ctx.verify(sha256Hex(body));
      const params = new URLSearchParams(ctx.req.method === "POST" ? body.toString("utf8") : "");
      for (const [k, v] of ctx.pairs) params.set(k, v);
      const action = params.get("Action") ?? "";
      const run = Object.hasOwn(actions, action) ? actions[action] : undefined;
      if (!run) throw new CloudError(400, "InvalidAction", `The action ${action || "(none)"} is not valid for this web service.`);
      const result = await run({ params, caller });
      const document = { [`${action}Result`]: result, ResponseMetadata: { RequestId: ctx.requestId } };
      sendXml(ctx.res, 200, toXml(`${action}Response`, document, namespace), { "x-amzn-RequestId": ctx.requestId });
    },
    signatureError(error) {
      const [status, code] = signatureErrors[error.problem];
      return new CloudError(status, code, error.message);
    },
    sendError(ctx, error) {
      sendQueryError(ctx.res, error, ctx.requestId, namespace);
    },
  };
}
