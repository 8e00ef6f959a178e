import { queryService } from "../../protocols/query";

// STS over the query protocol: only GetCallerIdentity, which tells a client whose keys it holds.

export const sts = queryService(
  "sts",
  "https://sts.amazonaws.com/doc/2011-06-15/",
  {
    GetCallerIdentity: async ({ caller }) => ({ Arn: `arn:aws:iam::${caller.accountId}:root`, UserId: caller.accountId, Account: caller.accountId }),
  },
  {
    missing: [403, "MissingAuthenticationToken"],
    malformed: [400, "IncompleteSignature"],
    unknown_key: [403, "InvalidClientTokenId"],
    mismatch: [403, "SignatureDoesNotMatch"],
    expired: [403, "ExpiredToken"],
    skewed: [403, "SignatureDoesNotMatch"],
  },
);
