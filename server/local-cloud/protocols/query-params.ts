import { CloudError } from "../errors";

// The query protocol's parameters (IAM, STS), checked as those services check them: the first
// violation is reported as a ValidationError in AWS's words, naming the member in camel case.

export interface ParamRule {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
}

const memberName = (name: string) => name[0]!.toLowerCase() + name.slice(1);

function violation(name: string, value: string | undefined, constraint: string): CloudError {
  const shown = value === undefined ? "null" : `'${value.length > 64 ? `${value.slice(0, 64)}…` : value}'`;
  return new CloudError(400, "ValidationError", `1 validation error detected: Value ${shown} at '${memberName(name)}' failed to satisfy constraint: ${constraint}`);
}

export function stringParam(params: URLSearchParams, name: string, rule: ParamRule & { required: true }): string;
export function stringParam(params: URLSearchParams, name: string, rule?: ParamRule): string | undefined;
export function stringParam(params: URLSearchParams, name: string, rule: ParamRule = {}): string | undefined {
  const value = params.get(name) ?? undefined;
  if (value === undefined) {
    if (rule.required) throw violation(name, value, "Member must not be null");
    return undefined;
  }
  if (rule.min !== undefined && value.length < rule.min) throw violation(name, value, `Member must have length greater than or equal to ${rule.min}`);
  if (rule.max !== undefined && value.length > rule.max) throw violation(name, value, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(value)) throw violation(name, value, `Member must satisfy regular expression pattern: ${rule.pattern.source.replace(/^\^|\$$/g, "")}`);
  return value;
}

export function integerParam(params: URLSearchParams, name: string, { min, max }: { min: number; max: number }): number | undefined {
  const value = params.get(name) ?? undefined;
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value)) throw violation(name, value, "Member must be of type integer");
  if (n < min) throw violation(name, value, `Member must have value greater than or equal to ${min}`);
  if (n > max) throw violation(name, value, `Member must have value less than or equal to ${max}`);
  return n;
}
