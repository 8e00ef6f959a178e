import { describe, expect, it } from "vitest";
import type { TableRule } from "./analysis-rules";
import { draftOf, ruleOfDraft } from "./rule-draft";

const columns = ["customer_id", "age_group", "region", "purchase_amount"];
const recipe: TableRule = {
  type: "AGGREGATION",
  policy: {
    // In the form's order of functions (SUM, SUM_DISTINCT, COUNT, COUNT_DISTINCT, AVG).
    aggregateColumns: [
      { columnNames: ["purchase_amount"], function: "SUM" },
      { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
    ],
    joinColumns: ["customer_id"],
    joinRequired: "QUERY_RUNNER",
    allowedJoinOperators: ["AND"],
    dimensionColumns: ["age_group", "region"],
    scalarFunctions: ["ROUND"],
    outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
  },
};

describe("the rule form's state", () => {
  it("round-trips each rule type", () => {
    const list: TableRule = { type: "LIST", policy: { joinColumns: ["customer_id"], listColumns: ["region"], allowedJoinOperators: ["AND", "OR"], additionalAnalyses: "NOT_ALLOWED" } };
    const custom: TableRule = {
      type: "CUSTOM",
      policy: {
        allowedAnalyses: ["ANY_QUERY"],
        allowedAnalysisProviders: ["222222222222"],
        disallowedOutputColumns: ["customer_id"],
        differentialPrivacy: { columns: [{ name: "customer_id" }] },
        additionalAnalyses: "NOT_ALLOWED",
      },
    };
    for (const rule of [recipe, list, custom]) expect(ruleOfDraft(draftOf(rule, columns))).toEqual({ ok: true, rule });
  });

  it("starts blank as an aggregation rule, which needs an aggregate and a minimum", () => {
    const draft = draftOf(null, columns);
    expect(draft.type).toBe("AGGREGATION");
    expect(ruleOfDraft(draft)).toEqual({
      ok: false,
      fieldErrors: {
        aggregateColumns: ["Choose at least one column to aggregate, with its function."],
        outputConstraints: ["Set a minimum distinct count on at least one column (for example, 3 customers per group)."],
      },
    });
  });

  it("refuses minimums out of range and a column both joined and shown", () => {
    const draft = draftOf(recipe, columns);
    draft.columns.customer_id!.minimum = "1";
    expect(ruleOfDraft(draft)).toEqual({ ok: false, fieldErrors: { outputConstraints: ["The minimum for customer_id must be a whole number from 2 to 100,000."] } });
    draft.columns.customer_id!.minimum = "3";
    draft.columns.customer_id!.dimension = true;
    expect(ruleOfDraft(draft)).toMatchObject({ ok: false, fieldErrors: { dimensionColumns: [expect.stringContaining("customer_id cannot be both")] } });
  });

  it("asks a custom rule for templates or providers, and checks account ids", () => {
    const draft = { ...draftOf(null, columns), type: "CUSTOM" as const };
    expect(ruleOfDraft(draft)).toEqual({ ok: false, fieldErrors: { allowedAnalysisProviders: ["Name the accounts (12 digits) that may write queries on this table."] } });
    draft.providers = "2222";
    expect(ruleOfDraft(draft)).toMatchObject({ ok: false, fieldErrors: { allowedAnalysisProviders: [expect.any(String)] } });
    draft.anyQuery = false;
    expect(ruleOfDraft(draft)).toEqual({ ok: false, fieldErrors: { allowedAnalyses: ["Paste the ARN of at least one analysis template, or allow any query."] } });
  });

  it("asks a list rule for join and list columns", () => {
    expect(ruleOfDraft({ ...draftOf(null, columns), type: "LIST" })).toEqual({
      ok: false,
      fieldErrors: { joinColumns: ["Choose at least one column to match rows on."], listColumns: ["Choose at least one column whose values may be listed."] },
    });
  });
});
