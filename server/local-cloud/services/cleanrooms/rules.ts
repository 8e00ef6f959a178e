import { z } from "zod";
import { accountId, columnName, invalid, unique } from "./common";
import type { AnalysisRuleType } from "./model";

// The analysis rule grammars of configured tables: shapes as the API defines them, then the
// checks the API reference states (every column named must be allowed, minimums 2–100,000, …).

const aggregateFunction = z.enum(["SUM", "SUM_DISTINCT", "COUNT", "COUNT_DISTINCT", "AVG"]);
const joinOperator = z.enum(["AND", "OR"]);
const additionalAnalyses = z.enum(["ALLOWED", "REQUIRED", "NOT_ALLOWED"]);
export const scalarFunctionNames = [
  "ABS",
  "CAST",
  "CEILING",
  "COALESCE",
  "CONVERT",
  "CURRENT_DATE",
  "DATEADD",
  "EXTRACT",
  "FLOOR",
  "GETDATE",
  "LN",
  "LOG",
  "LOWER",
  "ROUND",
  "RTRIM",
  "SQRT",
  "SUBSTRING",
  "TO_CHAR",
  "TO_DATE",
  "TO_NUMBER",
  "TO_TIMESTAMP",
  "TRIM",
  "TRUNC",
  "UPPER",
] as const;

export const aggregationRule = z.object({
  aggregateColumns: z.array(z.object({ columnNames: z.array(columnName).min(1), function: aggregateFunction })).min(1),
  joinColumns: z.array(columnName),
  joinRequired: z.enum(["QUERY_RUNNER"]).optional(),
  allowedJoinOperators: z.array(joinOperator).max(2).optional(),
  dimensionColumns: z.array(columnName),
  scalarFunctions: z.array(z.enum(scalarFunctionNames)),
  outputConstraints: z.array(z.object({ columnName, minimum: z.number().int().min(2).max(100000), type: z.enum(["COUNT_DISTINCT"]) })).min(1),
  additionalAnalyses: additionalAnalyses.optional(),
});

export const listRule = z.object({
  joinColumns: z.array(columnName).min(1),
  allowedJoinOperators: z.array(joinOperator).max(2).optional(),
  listColumns: z.array(columnName).min(1),
  additionalAnalyses: additionalAnalyses.optional(),
});

const templateArn = /^arn:aws:cleanrooms:[\w-]+:\d{12}:membership\/[\da-f-]{36}\/analysistemplate\/[\da-f-]{36}$/;

export const customRule = z.object({
  allowedAnalyses: z.array(z.string().min(0).max(200)),
  allowedAnalysisProviders: z.array(accountId).optional(),
  additionalAnalyses: additionalAnalyses.optional(),
  disallowedOutputColumns: z.array(columnName).optional(),
  differentialPrivacy: z
    .object({
      columns: z
        .array(z.object({ name: columnName }))
        .min(1)
        .max(1),
    })
    .optional(),
});

export const configuredTableRulePolicy = z.object({
  v1: z.object({ aggregation: aggregationRule.optional(), list: listRule.optional(), custom: customRule.optional() }),
});

const memberOfType: Record<AnalysisRuleType, "aggregation" | "list" | "custom"> = { AGGREGATION: "aggregation", LIST: "list", CUSTOM: "custom" };

/** Checks a configured table's rule against its allowed columns; returns the policy to store. */
export function checkConfiguredTableRule(type: AnalysisRuleType, policy: z.output<typeof configuredTableRulePolicy>, allowedColumns: string[], tableName: string) {
  const given = Object.entries(policy.v1).filter(([, value]) => value !== undefined);
  const member = memberOfType[type];
  if (given.length !== 1 || given[0]![0] !== member) {
    throw invalid("analysisRulePolicy.v1", `The policy must contain exactly one rule, "${member}", to match analysisRuleType ${type}.`);
  }
  const base = `analysisRulePolicy.v1.${member}`;
  const allowed = new Set(allowedColumns);
  const requireAllowed = (field: string, columns: string[]) => {
    for (const column of columns) {
      if (!allowed.has(column)) throw invalid(`${base}.${field}`, `Column "${column}" is not an allowed column of configured table "${tableName}" (allowed: ${allowedColumns.join(", ")}).`);
    }
  };
  if (type === "AGGREGATION") {
    const rule = policy.v1.aggregation!;
    rule.aggregateColumns.forEach((a, i) => {
      requireAllowed(`aggregateColumns.${i + 1}.columnNames`, a.columnNames);
      unique(`${base}.aggregateColumns.${i + 1}.columnNames`, a.columnNames);
    });
    requireAllowed("joinColumns", rule.joinColumns);
    requireAllowed("dimensionColumns", rule.dimensionColumns);
    requireAllowed(
      "outputConstraints",
      rule.outputConstraints.map((c) => c.columnName),
    );
    unique(`${base}.joinColumns`, rule.joinColumns);
    unique(`${base}.dimensionColumns`, rule.dimensionColumns);
    unique(`${base}.scalarFunctions`, rule.scalarFunctions);
    unique(`${base}.allowedJoinOperators`, rule.allowedJoinOperators ?? []);
    unique(
      `${base}.outputConstraints`,
      rule.outputConstraints.map((c) => c.columnName),
    );
    const both = rule.joinColumns.filter((c) => rule.dimensionColumns.includes(c));
    if (both.length) {
      throw invalid(`${base}.dimensionColumns`, `Column "${both[0]}" cannot be both a join column and a dimension column: join columns are never output.`);
    }
    if (rule.additionalAnalyses && rule.additionalAnalyses !== "NOT_ALLOWED") {
      throw invalid(`${base}.additionalAnalyses`, "Additional analyses are supported only for list and custom rules.");
    }
  } else if (type === "LIST") {
    const rule = policy.v1.list!;
    requireAllowed("joinColumns", rule.joinColumns);
    requireAllowed("listColumns", rule.listColumns);
    unique(`${base}.joinColumns`, rule.joinColumns);
    unique(`${base}.listColumns`, rule.listColumns);
    unique(`${base}.allowedJoinOperators`, rule.allowedJoinOperators ?? []);
  } else {
    const rule = policy.v1.custom!;
    unique(`${base}.allowedAnalyses`, rule.allowedAnalyses);
    const anyQuery = rule.allowedAnalyses.includes("ANY_QUERY");
    if (anyQuery && rule.allowedAnalyses.length > 1) throw invalid(`${base}.allowedAnalyses`, "ANY_QUERY cannot be combined with analysis template ARNs.");
    if (anyQuery && !rule.allowedAnalysisProviders?.length) {
      throw invalid(`${base}.allowedAnalysisProviders`, "With ANY_QUERY, name the accounts allowed to write queries (allowedAnalysisProviders).");
    }
    for (const analysis of rule.allowedAnalyses) {
      if (analysis !== "ANY_QUERY" && !templateArn.test(analysis)) {
        throw invalid(`${base}.allowedAnalyses`, `"${analysis}" is neither ANY_QUERY nor an analysis template ARN.`);
      }
    }
    if (!anyQuery && rule.allowedAnalysisProviders?.length) {
      throw invalid(`${base}.allowedAnalysisProviders`, "allowedAnalysisProviders applies only with ANY_QUERY.");
    }
    unique(`${base}.allowedAnalysisProviders`, rule.allowedAnalysisProviders ?? []);
    requireAllowed("disallowedOutputColumns", rule.disallowedOutputColumns ?? []);
    unique(`${base}.disallowedOutputColumns`, rule.disallowedOutputColumns ?? []);
    requireAllowed(
      "differentialPrivacy.columns",
      (rule.differentialPrivacy?.columns ?? []).map((c) => c.name),
    );
  }
  return { v1: { [member]: policy.v1[member] } };
}

/** Every column a stored rule names, to keep allowedColumns updates from orphaning a rule. */
export function columnsNamedBy(policy: Record<string, unknown>): string[] {
  const v1 = (policy as { v1: Record<string, Record<string, unknown>> }).v1;
  const out: string[] = [];
  const aggregation = v1.aggregation as z.output<typeof aggregationRule> | undefined;
  if (aggregation) {
    out.push(...aggregation.aggregateColumns.flatMap((a) => a.columnNames), ...aggregation.joinColumns, ...aggregation.dimensionColumns, ...aggregation.outputConstraints.map((c) => c.columnName));
  }
  const list = v1.list as z.output<typeof listRule> | undefined;
  if (list) out.push(...list.joinColumns, ...list.listColumns);
  const custom = v1.custom as z.output<typeof customRule> | undefined;
  if (custom) out.push(...(custom.disallowedOutputColumns ?? []), ...(custom.differentialPrivacy?.columns.map((c) => c.name) ?? []));
  return out;
}
