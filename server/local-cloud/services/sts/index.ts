import { readBody } from "../../body";
import { CloudError } from "../../errors";
import { sendQueryError, sendXml, toXml } from "../../protocols/xml";
import { sha256Hex } from "../../sigv4/canonical";
import type { CloudService } from "../../service";

// STS over the query protocol: only GetCallerIdentity, which tells a client whose keys it holds.
const namespace = "https://sts.amazonaws.com/doc/2011-06-15/";

const signatureErrors = {
  missing: [403, "MissingAuthenticationToken"],
  malformed: [400, "IncompleteSignature"],
  unknown_key: [403, "InvalidClientTokenId"],
  mismatch: [403, "SignatureDoesNotMatch"],
  expired: [403, "ExpiredToken"],
  skewed: [403, "SignatureDoesNotMatch"],
} as const;

export const sts: CloudService = {
  name: "sts",
  async handle(ctx) {
    const body = await readBody(ctx.req, 64 * 1024);
    const caller = await ctx.verify(sha256Hex(body));
    const params = new URLSearchParams(ctx.req.method === "POST" ? body.toString("utf8") : "");
    for (const [k, v] of ctx.pairs) params.set(k, v);
    const action = params.get("Action");
    if (action !== "GetCallerIdentity") {
      throw new CloudError(400, "InvalidAction", `The action ${action ?? "(none)"} is not valid for this web service.`);
    }
    const result = {
      GetCallerIdentityResult: { Arn: `arn:aws:iam::${caller.accountId}:root`, UserId: caller.accountId, Account: caller.accountId },
      ResponseMetadata: { RequestId: ctx.requestId },
    };
    sendXml(ctx.res, 200, toXml("GetCallerIdentityResponse", result, namespace), { "x-amzn-RequestId": ctx.requestId });
  },
  signatureError(error) {
    const [status, code] = signatureErrors[error.problem];
    return new CloudError(status, code, error.message);
  },
  sendError(ctx, error) {
    sendQueryError(ctx.res, error, ctx.requestId, namespace);
  },
};
