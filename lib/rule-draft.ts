import type { z } from "zod";
import { aggregateFunctions, aggregationPolicy, customPolicy, listPolicy, type AggregateFunction, type AnalysisRuleType, type TableRule } from "./analysis-rules";

// The rule form's state, one row per allowed column, and its translation to and from the rule
// the API takes. The translation validates with the same zod schemas the local cloud uses, so the
// form shows the same complaints before anything is sent.

export type JoinOperator = "AND" | "OR";
export type AdditionalAnalyses = "NOT_ALLOWED" | "ALLOWED" | "REQUIRED";

export interface ColumnDraft {
  join: boolean;
  dimension: boolean;
  list: boolean;
  functions: AggregateFunction[];
  /** Minimum distinct count of this column in every output group ("" for none). */
  minimum: string;
  disallowed: boolean;
}

export interface RuleDraft {
  type: AnalysisRuleType;
  columns: Record<string, ColumnDraft>;
  joinRequired: boolean;
  joinOperators: JoinOperator[];
  scalarFunctions: string[];
  anyQuery: boolean;
  /** Analysis template ARNs, one per line. */
  templates: string;
  /** Account ids allowed to write queries (with any query), separated by commas or spaces. */
  providers: string;
  /** The differential-privacy user identifier column ("" for none). */
  privacyColumn: string;
  additionalAnalyses: AdditionalAnalyses;
}

const emptyColumn = (): ColumnDraft => ({ join: false, dimension: false, list: false, functions: [], minimum: "", disallowed: false });

/** The form's state for an existing rule (or a blank aggregation rule). */
export function draftOf(rule: TableRule | null, allowedColumns: string[]): RuleDraft {
  const columns = Object.fromEntries(allowedColumns.map((c) => [c, emptyColumn()]));
  const draft: RuleDraft = {
    type: rule?.type ?? "AGGREGATION",
    columns,
    joinRequired: false,
    joinOperators: ["AND"],
    scalarFunctions: [],
    anyQuery: true,
    templates: "",
    providers: "",
    privacyColumn: "",
    additionalAnalyses: "NOT_ALLOWED",
  };
  const column = (name: string) => (columns[name] ??= emptyColumn());
  if (rule?.type === "AGGREGATION") {
    const p = rule.policy;
    p.aggregateColumns.forEach((a) => a.columnNames.forEach((c) => column(c).functions.push(a.function)));
    p.joinColumns.forEach((c) => (column(c).join = true));
    p.dimensionColumns.forEach((c) => (column(c).dimension = true));
    p.outputConstraints.forEach((o) => (column(o.columnName).minimum = String(o.minimum)));
    draft.joinRequired = p.joinRequired === "QUERY_RUNNER";
    draft.joinOperators = p.allowedJoinOperators?.length ? [...p.allowedJoinOperators] : ["AND"];
    draft.scalarFunctions = [...p.scalarFunctions];
  } else if (rule?.type === "LIST") {
    rule.policy.joinColumns.forEach((c) => (column(c).join = true));
    rule.policy.listColumns.forEach((c) => (column(c).list = true));
    draft.joinOperators = rule.policy.allowedJoinOperators?.length ? [...rule.policy.allowedJoinOperators] : ["AND"];
    draft.additionalAnalyses = rule.policy.additionalAnalyses ?? "NOT_ALLOWED";
  } else if (rule?.type === "CUSTOM") {
    const p = rule.policy;
    draft.anyQuery = p.allowedAnalyses.includes("ANY_QUERY");
    draft.templates = p.allowedAnalyses.filter((a) => a !== "ANY_QUERY").join("\n");
    draft.providers = (p.allowedAnalysisProviders ?? []).join(", ");
    (p.disallowedOutputColumns ?? []).forEach((c) => (column(c).disallowed = true));
    draft.privacyColumn = p.differentialPrivacy?.columns[0]?.name ?? "";
    draft.additionalAnalyses = p.additionalAnalyses ?? "NOT_ALLOWED";
  }
  return draft;
}

export type DraftResult = { ok: true; rule: TableRule } | { ok: false; fieldErrors: Record<string, string[]> };

/** zod's complaints, by the form field (the policy member) they concern. */
function complaints(error: z.ZodError): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const issue of error.issues) (errors[String(issue.path[0] ?? "rule")] ??= []).push(issue.message);
  return errors;
}

const picked = (draft: RuleDraft, test: (c: ColumnDraft) => boolean) =>
  Object.entries(draft.columns)
    .filter(([, c]) => test(c))
    .map(([name]) => name);

const friendly: Record<string, string> = {
  aggregateColumns: "Choose at least one column to aggregate, with its function.",
  outputConstraints: "Set a minimum distinct count on at least one column (for example, 3 customers per group).",
  joinColumns: "Choose at least one column to match rows on.",
  listColumns: "Choose at least one column whose values may be listed.",
};

/** The rule the form describes, or what is wrong with it, field by field. */
export function ruleOfDraft(draft: RuleDraft): DraftResult {
  const fail = (error: z.ZodError) => {
    const errors = complaints(error);
    for (const field of Object.keys(errors)) if (friendly[field] && errors[field]!.some((m) => /at least|>=|too small/i.test(m))) errors[field] = [friendly[field]!];
    return { ok: false as const, fieldErrors: errors };
  };
  if (draft.type === "AGGREGATION") {
    const minimumErrors: string[] = [];
    const outputConstraints = Object.entries(draft.columns)
      .filter(([, c]) => c.minimum.trim() !== "")
      .map(([columnName, c]) => {
        const minimum = Number(c.minimum);
        if (!Number.isInteger(minimum) || minimum < 2 || minimum > 100000) minimumErrors.push(`The minimum for ${columnName} must be a whole number from 2 to 100,000.`);
        return { columnName, minimum, type: "COUNT_DISTINCT" as const };
      });
    if (minimumErrors.length) return { ok: false, fieldErrors: { outputConstraints: minimumErrors } };
    const parsed = aggregationPolicy.safeParse({
      aggregateColumns: aggregateFunctions.map((fn) => ({ columnNames: picked(draft, (c) => c.functions.includes(fn)), function: fn })).filter((a) => a.columnNames.length),
      joinColumns: picked(draft, (c) => c.join),
      ...(draft.joinRequired ? { joinRequired: "QUERY_RUNNER" } : {}),
      allowedJoinOperators: draft.joinOperators,
      dimensionColumns: picked(draft, (c) => c.dimension),
      scalarFunctions: draft.scalarFunctions,
      outputConstraints,
    });
    if (!parsed.success) return fail(parsed.error);
    const both = parsed.data.joinColumns.filter((c) => parsed.data.dimensionColumns.includes(c));
    if (both.length) return { ok: false, fieldErrors: { dimensionColumns: [`${both.join(", ")} cannot be both a join column and a dimension: join columns are never shown.`] } };
    return { ok: true, rule: { type: "AGGREGATION", policy: parsed.data } };
  }
  if (draft.type === "LIST") {
    const parsed = listPolicy.safeParse({
      joinColumns: picked(draft, (c) => c.join),
      listColumns: picked(draft, (c) => c.list),
      allowedJoinOperators: draft.joinOperators,
      additionalAnalyses: draft.additionalAnalyses,
    });
    return parsed.success ? { ok: true, rule: { type: "LIST", policy: parsed.data } } : fail(parsed.error);
  }
  const templates = draft.templates
    .split(/\s+/)
    .map((t) => t.trim())
    .filter(Boolean);
  const providers = draft.providers
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (!draft.anyQuery && !templates.length) return { ok: false, fieldErrors: { allowedAnalyses: ["Paste the ARN of at least one analysis template, or allow any query."] } };
  if (draft.anyQuery && !providers.length) return { ok: false, fieldErrors: { allowedAnalysisProviders: ["Name the accounts (12 digits) that may write queries on this table."] } };
  const disallowed = picked(draft, (c) => c.disallowed);
  const parsed = customPolicy.safeParse({
    allowedAnalyses: draft.anyQuery ? ["ANY_QUERY"] : templates,
    ...(draft.anyQuery ? { allowedAnalysisProviders: providers } : {}),
    ...(disallowed.length ? { disallowedOutputColumns: disallowed } : {}),
    ...(draft.privacyColumn ? { differentialPrivacy: { columns: [{ name: draft.privacyColumn }] } } : {}),
    additionalAnalyses: draft.additionalAnalyses,
  });
  return parsed.success ? { ok: true, rule: { type: "CUSTOM", policy: parsed.data } } : fail(parsed.error);
}
