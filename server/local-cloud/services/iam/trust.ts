import { CloudError } from "../../errors";

// A role's trust policy, read and applied as IAM does for sts:AssumeRole: an explicit Deny wins,
// else some Allow must name the caller (account, account root, or the caller's own ARN) and hold
// every condition. Conditions the local cloud cannot evaluate count against the caller: they never
// make an Allow apply, and always make a Deny apply.

export interface TrustRequest {
  callerAccount: string;
  /** ARNs the caller is known by: its account root, or the role it assumed (and that session). */
  callerArns: string[];
  externalId?: string;
}

interface Statement {
  effect: "Allow" | "Deny";
  actions: string[];
  principals: { aws: string[]; any: boolean };
  conditions: Record<string, Record<string, unknown>>;
}

const malformed = (message: string) => new CloudError(400, "MalformedPolicyDocument", message);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : value === undefined ? [] : [String(value)]);

/** Parses a trust policy document, refusing what IAM would refuse, with IAM's error. */
export function parseTrustPolicy(text: string): Statement[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed("This policy contains invalid Json");
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) throw malformed("Syntax errors in policy.");
  const raw = (document as { Statement?: unknown }).Statement;
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (list.length === 0) throw malformed("Policy document must contain at least one statement.");
  return list.map((entry): Statement => {
    if (typeof entry !== "object" || entry === null) throw malformed("Syntax errors in policy.");
    const s = entry as Record<string, unknown>;
    if (s.Effect !== "Allow" && s.Effect !== "Deny") throw malformed("Effect must be Allow or Deny.");
    const actions = strings(s.Action);
    if (actions.length === 0) throw malformed("Policy statement must contain actions.");
    if (s.Principal === undefined) throw malformed("AssumeRole policy may only specify STS AssumeRole actions and must name a Principal.");
    const any = s.Principal === "*";
    const principal = any ? {} : s.Principal;
    if (typeof principal !== "object" || principal === null) throw malformed("Invalid principal in policy.");
    const aws = strings((principal as Record<string, unknown>).AWS);
    for (const value of aws) {
      if (value !== "*" && !/^\d{12}$/.test(value) && !/^arn:aws:(iam|sts)::\d{12}:/.test(value)) throw malformed(`Invalid principal in policy: "AWS":"${value}"`);
    }
    const conditions = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
    if (typeof conditions !== "object" || Array.isArray(conditions)) throw malformed("Syntax errors in policy: Condition must be an object.");
    return { effect: s.Effect, actions, principals: { aws, any: any || aws.includes("*") }, conditions };
  });
}

function glob(pattern: string, flags = ""): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    flags,
  );
}

function namesCaller(statement: Statement, request: TrustRequest): boolean {
  if (statement.principals.any) return true;
  return statement.principals.aws.some((p) => p === request.callerAccount || p === `arn:aws:iam::${request.callerAccount}:root` || request.callerArns.includes(p));
}

function contextValue(key: string, request: TrustRequest): string | undefined {
  switch (key.toLowerCase()) {
    case "sts:externalid":
      return request.externalId;
    case "aws:principalaccount":
      return request.callerAccount;
    case "aws:principalarn":
      return request.callerArns[0];
    default:
      return undefined;
  }
}

/** true or false when the local cloud can tell; undefined when it cannot. */
function conditionHolds(operator: string, key: string, expected: string[], request: TrustRequest): boolean | undefined {
  const value = contextValue(key, request);
  switch (operator) {
    case "StringEquals":
      return value !== undefined && expected.includes(value);
    case "StringNotEquals":
      return value === undefined || !expected.includes(value);
    case "StringLike":
      return value !== undefined && expected.some((p) => glob(p).test(value));
    case "StringEqualsIgnoreCase":
      return value !== undefined && expected.some((p) => p.toLowerCase() === value.toLowerCase());
    case "Null":
      return expected.every((e) => (e === "true") === (value === undefined));
    default:
      return undefined;
  }
}

function applies(statement: Statement, request: TrustRequest): boolean {
  const action = statement.actions.some((a) => glob(a, "i").test("sts:AssumeRole"));
  if (!action || !namesCaller(statement, request)) return false;
  for (const [operator, keys] of Object.entries(statement.conditions)) {
    for (const [key, expected] of Object.entries(keys ?? {})) {
      const holds = conditionHolds(operator, key, strings(expected), request);
      if (holds === undefined ? statement.effect === "Allow" : !holds) return false;
    }
  }
  return true;
}

export function trustAllows(statements: Statement[], request: TrustRequest): boolean {
  if (statements.some((s) => s.effect === "Deny" && applies(s, request))) return false;
  return statements.some((s) => s.effect === "Allow" && applies(s, request));
}
