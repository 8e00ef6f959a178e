import { describe, expect, it } from "vitest";
import { configuredTableRulePolicy, tableRuleOf } from "./analysis-rules";

// One schema serves the local cloud's validation, the engine's catalog and the console's forms:
// what it accepts is what a rule can be anywhere.
describe("configured table rule policies", () => {
  const aggregation = {
    aggregateColumns: [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }],
    joinColumns: ["customer_id"],
    dimensionColumns: ["segment"],
    scalarFunctions: ["ROUND"],
    outputConstraints: [{ columnName: "customer_id", minimum: 100, type: "COUNT_DISTINCT" }],
  };

  it("accepts the API's shape and gives the engine the policy its type names", () => {
    const policy = configuredTableRulePolicy.parse({ v1: { aggregation } });
    expect(tableRuleOf("AGGREGATION", policy)).toEqual({ type: "AGGREGATION", policy: aggregation });
    expect(tableRuleOf("LIST", policy)).toBeNull();
  });

  it("refuses what Clean Rooms refuses: unknown functions, minimums below 2, column names out of pattern", () => {
    const refused = (v1: object) => configuredTableRulePolicy.safeParse({ v1 }).success;
    expect(refused({ aggregation: { ...aggregation, scalarFunctions: ["EXEC"] } })).toBe(false);
    expect(refused({ aggregation: { ...aggregation, outputConstraints: [{ columnName: "customer_id", minimum: 1, type: "COUNT_DISTINCT" }] } })).toBe(false);
    expect(refused({ list: { joinColumns: ["Customer ID"], listColumns: ["segment"] } })).toBe(false);
    expect(refused({ custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["12345"] } })).toBe(false);
    expect(refused({ list: { joinColumns: ["customer_id"], listColumns: ["segment"] } })).toBe(true);
  });
});
