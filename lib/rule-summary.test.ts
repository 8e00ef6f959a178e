import { describe, expect, it } from "vitest";
import type { TableRule } from "./analysis-rules";
import { columnAllowances, listOf, ruleSummaryText, summarizeRule, thingsIn } from "./rule-summary";

// The recipe's customer table: what partners learn under each kind of rule, in the words the
// console shows beside the rule's form.
const columns = ["customer_id", "age_group", "region", "purchase_amount"];

describe("words", () => {
  it("lists and counts things as a sentence would", () => {
    expect([listOf([]), listOf(["a"]), listOf(["a", "b"]), listOf(["a", "b", "c"])]).toEqual(["", "a", "a and b", "a, b and c"]);
    expect(["customer_id", "purchase_amount", "address", "category", "day"].map(thingsIn)).toEqual(["customers", "purchase amounts", "addresses", "categories", "days"]);
  });
});

describe("an aggregation rule", () => {
  it("says what can be counted and summed, by what, in groups of what size, and what is never seen", () => {
    const summary = summarizeRule(
      {
        type: "AGGREGATION",
        policy: {
          aggregateColumns: [
            { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
            { columnNames: ["purchase_amount"], function: "SUM" },
          ],
          joinColumns: ["customer_id"],
          joinRequired: "QUERY_RUNNER",
          dimensionColumns: ["age_group", "region"],
          scalarFunctions: [],
          outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
        },
      },
      columns,
    );
    expect(summary.can).toEqual([
      "Partners can count distinct customers and sum purchase amounts by age_group and region, only in groups of at least 3 distinct customers.",
      "They must join it with their own data on customer_id.",
    ]);
    expect(summary.cannot).toEqual([
      "They never see a single row, nor any group smaller than the minimum: such groups are left out of results.",
      "They can never see the values of customer_id and purchase_amount; these appear only inside aggregates or joins.",
    ]);
    expect(ruleSummaryText(summary)).toContain("only in groups of at least 3 distinct customers. They must join");
  });

  it("mentions optional joins, both operators, scalar functions and additional analyses, and the whole table when nothing groups", () => {
    const { can } = summarizeRule(
      {
        type: "AGGREGATION",
        policy: {
          aggregateColumns: [{ columnNames: ["purchase_amount"], function: "AVG" }],
          joinColumns: ["customer_id", "region"],
          allowedJoinOperators: ["AND", "OR"],
          dimensionColumns: [],
          scalarFunctions: ["ROUND", "ABS"],
          outputConstraints: [{ columnName: "customer_id", minimum: 100, type: "COUNT_DISTINCT" }],
          additionalAnalyses: "ALLOWED",
        },
      },
      columns,
    );
    expect(can).toEqual([
      "Partners can average purchase amounts over the whole table, only in groups of at least 100 distinct customers.",
      "They may join it with their own data on customer_id and region, matching on any or all of them (AND, OR).",
      "They may apply ROUND and ABS to columns.",
      "Additional analyses (such as ML models) may also read this table.",
    ]);
  });
});

describe("a list rule", () => {
  it("says which values can be listed for overlapping rows, and that nothing can be aggregated", () => {
    const summary = summarizeRule({ type: "LIST", policy: { joinColumns: ["customer_id", "age_group"], listColumns: ["region"], allowedJoinOperators: ["OR"] } }, columns);
    expect(summary.can).toEqual(["Partners can list the values of region for the rows that overlap with their own data on customer_id and age_group, matching on any of them (OR)."]);
    expect(summary.cannot).toEqual([
      "They cannot count, sum or otherwise aggregate, and they see no row that does not match their own data.",
      "They can never see the values of customer_id, age_group and purchase_amount.",
    ]);
  });
});

describe("a custom rule", () => {
  it("with any query says so, names the providers, and warns that nothing else limits the output", () => {
    const summary = summarizeRule({ type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["222222222222"], disallowedOutputColumns: ["customer_id"] } }, columns);
    expect(summary.can).toEqual(["Partners can run any SQL query written by account 222222222222 on this table, as long as every other table it reads allows it."]);
    expect(summary.cannot).toEqual([
      "Results never include customer_id.",
      "Nothing else limits what a query returns: without differential privacy, a query may return individual rows of the allowed columns.",
    ]);
  });

  it("with templates names them, and with differential privacy says what noise protects", () => {
    const summary = summarizeRule(
      {
        type: "CUSTOM",
        policy: {
          allowedAnalyses: ["arn:aws:cleanrooms:us-east-1:111111111111:membership/m1/analysistemplate/by_region", "arn:aws:cleanrooms:us-east-1:111111111111:membership/m1/analysistemplate/reach"],
          differentialPrivacy: { columns: [{ name: "customer_id" }] },
        },
      },
      columns,
    );
    expect(summary.can).toEqual([
      "Partners can run only the analysis templates by_region and reach, as reviewed by you.",
      "Results carry differential-privacy noise that treats each customer_id as one individual, and spend the collaboration's privacy budget.",
    ]);
    expect(summary.cannot).toEqual(["They cannot tell from any result whether a particular customer_id is in your data."]);
  });

  it("with nothing allowed says that nothing can run yet", () => {
    expect(summarizeRule({ type: "CUSTOM", policy: { allowedAnalyses: [] } }, columns)).toEqual({
      can: ["Partners can run no analysis on this table until you allow a template or any query."],
      cannot: [],
    });
  });
});

describe("column allowances", () => {
  it("say per column what each rule type lets a query do", () => {
    const aggregation: TableRule = {
      type: "AGGREGATION",
      policy: {
        aggregateColumns: [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }],
        joinColumns: ["customer_id"],
        dimensionColumns: ["region"],
        scalarFunctions: [],
        outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
      },
    };
    expect(["customer_id", "region", "purchase_amount"].map((c) => columnAllowances(aggregation, c))).toEqual([["join key", "COUNT_DISTINCT"], ["dimension"], ["not usable"]]);
    expect(columnAllowances({ type: "LIST", policy: { joinColumns: ["customer_id"], listColumns: ["region"] } }, "region")).toEqual(["list"]);
    expect(columnAllowances({ type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], disallowedOutputColumns: ["email"] } }, "email")).toEqual(["not in output"]);
    expect(columnAllowances(null, "x")).toEqual(["not queryable (no rule)"]);
  });
});
