import type { AggregateFunction, AggregationPolicy, CustomPolicy, ListPolicy, TableRule } from "./analysis-rules";

// What a configured table's analysis rule lets a collaboration partner learn, in plain words,
// shown beside the rule's form and on the collaboration page. One function per rule type, all
// reading the same policy the local cloud enforces, so the words cannot drift from the rule.

export interface RuleSummary {
  /** What partners can learn, one sentence each. */
  can: string[];
  /** What they can never learn or do, one sentence each. */
  cannot: string[];
}

/** "a", "a and b", "a, b and c". */
export function listOf(items: string[], conjunction = "and"): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} ${conjunction} ${items.at(-1)}`;
}

/** A column as a counted thing: `customer_id` → "customers", `purchase_amount` → "purchase amounts". */
export function thingsIn(column: string): string {
  const words = column.replace(/_/g, " ").trim();
  const noun = words.replace(/\s+id$/i, "") || words;
  if (/(s|x|z|ch|sh)$/i.test(noun)) return `${noun}es`;
  if (/[^aeiou]y$/i.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}s`;
}

const verbs: Record<AggregateFunction, (column: string) => string> = {
  COUNT: (c) => `count ${thingsIn(c)}`,
  COUNT_DISTINCT: (c) => `count distinct ${thingsIn(c)}`,
  SUM: (c) => `sum ${thingsIn(c)}`,
  SUM_DISTINCT: (c) => `sum distinct ${thingsIn(c)}`,
  AVG: (c) => `average ${thingsIn(c)}`,
};

/** How join columns may be combined; with one join column there is nothing to combine. */
const joinWords = (columns: string[], operators: ("AND" | "OR")[] | undefined) => {
  if (columns.length < 2) return "";
  const allowed = operators?.length ? operators : ["AND"];
  return allowed.length === 2 ? ", matching on any or all of them (AND, OR)" : allowed[0] === "OR" ? ", matching on any of them (OR)" : ", matching on all of them (AND)";
};

const additional = (value: AggregationPolicy["additionalAnalyses"]) =>
  value === "REQUIRED"
    ? "Queries on this table must also run an additional analysis (such as an ML model)."
    : value === "ALLOWED"
      ? "Additional analyses (such as ML models) may also read this table."
      : null;

function aggregation(policy: AggregationPolicy, allowedColumns: string[]): RuleSummary {
  const measures = policy.aggregateColumns.flatMap((a) => a.columnNames.map((c) => verbs[a.function](c)));
  const by = policy.dimensionColumns.length ? ` by ${listOf(policy.dimensionColumns)}` : " over the whole table";
  const thresholds = policy.outputConstraints.map((o) => `at least ${o.minimum} distinct ${thingsIn(o.columnName)}`);
  const can = [`Partners can ${listOf(measures)}${by}, only in groups of ${listOf(thresholds)}.`];
  if (policy.joinColumns.length) {
    const joined = policy.joinRequired === "QUERY_RUNNER" ? "must join it with their own data" : "may join it with their own data";
    can.push(`They ${joined} on ${listOf(policy.joinColumns)}${joinWords(policy.joinColumns, policy.allowedJoinOperators)}.`);
  }
  if (policy.scalarFunctions.length) can.push(`They may apply ${listOf(policy.scalarFunctions)} to columns.`);
  const extra = additional(policy.additionalAnalyses);
  if (extra) can.push(extra);

  const shown = new Set(policy.dimensionColumns);
  const hidden = allowedColumns.filter((c) => !shown.has(c));
  const cannot = ["They never see a single row, nor any group smaller than the minimum: such groups are left out of results."];
  if (hidden.length) cannot.push(`They can never see the values of ${listOf(hidden)}; ${hidden.length === 1 ? "it appears" : "these appear"} only inside aggregates or joins.`);
  return { can, cannot };
}

function list(policy: ListPolicy, allowedColumns: string[]): RuleSummary {
  const can = [
    `Partners can list the values of ${listOf(policy.listColumns)} for the rows that overlap with their own data on ${listOf(policy.joinColumns)}${joinWords(policy.joinColumns, policy.allowedJoinOperators)}.`,
  ];
  const extra = additional(policy.additionalAnalyses);
  if (extra) can.push(extra);
  const listed = new Set(policy.listColumns);
  const hidden = allowedColumns.filter((c) => !listed.has(c));
  const cannot = ["They cannot count, sum or otherwise aggregate, and they see no row that does not match their own data."];
  if (hidden.length) cannot.push(`They can never see the values of ${listOf(hidden)}.`);
  return { can, cannot };
}

/** An analysis template's name from its ARN (`…/analysistemplate/<id>` has no name, so the id). */
const templateName = (arn: string) => arn.split("/").at(-1) ?? arn;

function custom(policy: CustomPolicy): RuleSummary {
  const anyQuery = policy.allowedAnalyses.includes("ANY_QUERY");
  const providers = policy.allowedAnalysisProviders?.length ? ` written by account${policy.allowedAnalysisProviders.length > 1 ? "s" : ""} ${listOf(policy.allowedAnalysisProviders)}` : "";
  const can = anyQuery
    ? [`Partners can run any SQL query${providers} on this table, as long as every other table it reads allows it.`]
    : policy.allowedAnalyses.length
      ? [`Partners can run only the analysis template${policy.allowedAnalyses.length > 1 ? "s" : ""} ${listOf(policy.allowedAnalyses.map(templateName))}, as reviewed by you.`]
      : ["Partners can run no analysis on this table until you allow a template or any query."];
  const extra = additional(policy.additionalAnalyses);
  if (extra) can.push(extra);
  const cannot: string[] = [];
  if (policy.disallowedOutputColumns?.length) cannot.push(`Results never include ${listOf(policy.disallowedOutputColumns)}.`);
  const dp = policy.differentialPrivacy?.columns[0]?.name;
  if (dp) {
    can.push(`Results carry differential-privacy noise that treats each ${dp} as one individual, and spend the collaboration's privacy budget.`);
    cannot.push(`They cannot tell from any result whether a particular ${dp} is in your data.`);
  } else if (policy.allowedAnalyses.length) {
    cannot.push(
      anyQuery
        ? "Nothing else limits what a query returns: without differential privacy, a query may return individual rows of the allowed columns."
        : "What the allowed templates return is all they can learn; without differential privacy, check that no template returns individual rows.",
    );
  }
  return { can, cannot };
}

/** What a partner will and will not be able to learn from a table under `rule`. */
export function summarizeRule(rule: TableRule, allowedColumns: string[]): RuleSummary {
  if (rule.type === "AGGREGATION") return aggregation(rule.policy, allowedColumns);
  if (rule.type === "LIST") return list(rule.policy, allowedColumns);
  return custom(rule.policy);
}

/** The summary as one paragraph. */
export function ruleSummaryText(summary: RuleSummary): string {
  return [...summary.can, ...summary.cannot].join(" ");
}

/** What a rule lets a query do with one column, in a few words each (for the workbench's panel). */
export function columnAllowances(rule: TableRule | null, column: string): string[] {
  if (!rule) return ["not queryable (no rule)"];
  if (rule.type === "AGGREGATION") {
    const p = rule.policy;
    const uses: string[] = [];
    if (p.dimensionColumns.includes(column)) uses.push("dimension");
    if (p.joinColumns.includes(column)) uses.push("join key");
    const functions = p.aggregateColumns.filter((a) => a.columnNames.includes(column)).map((a) => a.function);
    if (functions.length) uses.push(functions.join(", "));
    return uses.length ? uses : ["not usable"];
  }
  if (rule.type === "LIST") {
    const uses: string[] = [];
    if (rule.policy.listColumns.includes(column)) uses.push("list");
    if (rule.policy.joinColumns.includes(column)) uses.push("join key");
    return uses.length ? uses : ["not usable"];
  }
  return rule.policy.disallowedOutputColumns?.includes(column) ? ["not in output"] : ["any use"];
}
