import { z } from "zod";
import { CloudError } from "./errors";

// Input shapes are checked with zod; violations are reported the way AWS's service framework
// words them, with the path of each offending member, so clients see the usual messages.

function memberPath(path: PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `${p + 1}` : String(p))).join(".");
}

function describe(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined ? "Member must not be null" : `Member must be of type ${issue.expected}`;
    case "too_small":
      return `Member must have ${issue.origin === "number" ? "value" : "length"} greater than or equal to ${issue.minimum}`;
    case "too_big":
      return `Member must have ${issue.origin === "number" ? "value" : "length"} less than or equal to ${issue.maximum}`;
    case "invalid_value":
      return `Member must satisfy enum value set: [${issue.values.join(", ")}]`;
    case "invalid_format":
      return `Member must satisfy regular expression pattern: ${"pattern" in issue ? String(issue.pattern) : issue.format}`;
    default:
      return issue.message;
  }
}

export interface FieldProblem {
  name: string;
  message: string;
}

/** Parses input against a schema; throws ValidationException naming every offending field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, extra: (problems: FieldProblem[]) => Record<string, unknown> = () => ({}), code = "ValidationException"): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({ name: memberPath(issue.path) || "input", message: describe(issue) }));
  const n = problems.length;
  const message = `${n} validation error${n === 1 ? "" : "s"} detected: ${problems.map((p) => `Value at '${p.name}' failed to satisfy constraint: ${p.message}`).join("; ")}`;
  throw new CloudError(400, code, message, extra(problems));
}

// A surrogate half without its partner: valid as a JSON escape, but not text in any encoding.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Parses a JSON request body; anything else is a SerializationException, as AWS answers. Strings
 * holding NUL are refused: no AWS name or text contains one, the store cannot keep one, and C
 * code (DuckDB's parser) would silently read only what comes before it. So are strings that are
 * not Unicode text (lone surrogates), which the store cannot keep either.
 */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  let problem: string | null = null;
  const check = (text: string) => {
    if (text.includes("\u0000")) problem = "Strings in the request may not contain the NUL character (U+0000).";
    else if (loneSurrogate.test(text)) problem = "Strings in the request must be valid Unicode text.";
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString("utf8"), (key, value: unknown) => {
      check(key);
      if (typeof value === "string") check(value);
      return value;
    });
  } catch {
    throw new CloudError(400, "SerializationException", "The request body is not valid JSON.");
  }
  if (problem) throw new CloudError(400, "ValidationException", problem);
  return parsed;
}

/** Opaque pagination tokens: the position after which the next page starts. */
export function encodeToken(position: string): string {
  return Buffer.from(JSON.stringify({ after: position })).toString("base64url");
}

export function decodeToken(token: string | undefined, errorCode = "InvalidInputException"): string | null {
  if (token === undefined || token === null || token === "") return null;
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as { after?: unknown };
    if (typeof parsed.after === "string") return parsed.after;
  } catch {
    // fall through
  }
  throw new CloudError(400, errorCode, "The pagination token is not valid.");
}
