import { policyMember, type AnalysisRuleType, type ConfiguredTableRulePolicy } from "@/lib/analysis-rules";
import { invalid, unique } from "./common";

// The checks the API reference states for a configured table's analysis rule beyond its shape
// (every column named must be allowed, no column twice, …); the shapes are in lib/analysis-rules.

const templateArn = /^arn:aws:cleanrooms:[\w-]+:\d{12}:membership\/[\da-f-]{36}\/analysistemplate\/[\da-f-]{36}$/;

/** Checks a configured table's rule against its allowed columns; returns the policy to store. */
export function checkConfiguredTableRule(type: AnalysisRuleType, policy: ConfiguredTableRulePolicy, allowedColumns: string[], tableName: string): ConfiguredTableRulePolicy {
  const given = Object.entries(policy.v1).filter(([, value]) => value !== undefined);
  const member = policyMember[type];
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
export function columnsNamedBy(policy: ConfiguredTableRulePolicy): string[] {
  const { aggregation, list, custom } = policy.v1;
  const out: string[] = [];
  if (aggregation) {
    out.push(...aggregation.aggregateColumns.flatMap((a) => a.columnNames), ...aggregation.joinColumns, ...aggregation.dimensionColumns, ...aggregation.outputConstraints.map((c) => c.columnName));
  }
  if (list) out.push(...list.joinColumns, ...list.listColumns);
  if (custom) out.push(...(custom.disallowedOutputColumns ?? []), ...(custom.differentialPrivacy?.columns.map((c) => c.name) ?? []));
  return out;
}
