import { z } from "zod";

// The analysis rules of a configured table, defined once: the local cloud validates requests with
// these schemas, the engine's catalog and validator use the types inferred from them, and the
// console's forms check what a data owner enters against the same schemas before sending it.
// The shapes are Clean Rooms' (AnalysisRulePolicyV1 in the API reference); the cross-field checks
// (every column named must be allowed, and so on) live with the local cloud's CreateConfiguredTableAnalysisRule.

export const analysisRuleTypes = ["AGGREGATION", "LIST", "CUSTOM"] as const;
export const analysisRuleType = z.enum(analysisRuleTypes);
export type AnalysisRuleType = z.infer<typeof analysisRuleType>;

export const columnName = z
  .string()
  .min(1)
  .max(127)
  .regex(/^[a-z0-9_](([a-z0-9_ ]+-)*([a-z0-9_ ]+))?$/, "Member must satisfy regular expression pattern: [a-z0-9_](([a-z0-9_ ]+-)*([a-z0-9_ ]+))?");
export const accountId = z.string().regex(/^\d{12}$/, "Member must satisfy regular expression pattern: \\d+ (12 digits)");

export const aggregateFunctions = ["SUM", "SUM_DISTINCT", "COUNT", "COUNT_DISTINCT", "AVG"] as const;
export const aggregateFunction = z.enum(aggregateFunctions);
export type AggregateFunction = z.infer<typeof aggregateFunction>;
const joinOperator = z.enum(["AND", "OR"]);
const additionalAnalyses = z.enum(["ALLOWED", "REQUIRED", "NOT_ALLOWED"]);

/** The scalar functions an aggregation rule may allow, as Clean Rooms names them. */
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

export const aggregationPolicy = z.object({
  aggregateColumns: z.array(z.object({ columnNames: z.array(columnName).min(1), function: aggregateFunction })).min(1),
  joinColumns: z.array(columnName),
  joinRequired: z.enum(["QUERY_RUNNER"]).optional(),
  allowedJoinOperators: z.array(joinOperator).max(2).optional(),
  dimensionColumns: z.array(columnName),
  scalarFunctions: z.array(z.enum(scalarFunctionNames)),
  outputConstraints: z.array(z.object({ columnName, minimum: z.number().int().min(2).max(100000), type: z.enum(["COUNT_DISTINCT"]) })).min(1),
  additionalAnalyses: additionalAnalyses.optional(),
});

export const listPolicy = z.object({
  joinColumns: z.array(columnName).min(1),
  allowedJoinOperators: z.array(joinOperator).max(2).optional(),
  listColumns: z.array(columnName).min(1),
  additionalAnalyses: additionalAnalyses.optional(),
});

export const customPolicy = z.object({
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

export type AggregationPolicy = z.infer<typeof aggregationPolicy>;
export type ListPolicy = z.infer<typeof listPolicy>;
export type CustomPolicy = z.infer<typeof customPolicy>;

/** A configured table rule's policy as the API carries it: `{ v1: { aggregation | list | custom } }`. */
export const configuredTableRulePolicy = z.object({
  v1: z.object({ aggregation: aggregationPolicy.optional(), list: listPolicy.optional(), custom: customPolicy.optional() }),
});
export type ConfiguredTableRulePolicy = z.infer<typeof configuredTableRulePolicy>;

/** A rule as the engine reads it (and the console's rule form sends it): its type, and the one policy that type names. */
export const tableRule = z.discriminatedUnion("type", [
  z.object({ type: z.literal("AGGREGATION"), policy: aggregationPolicy }),
  z.object({ type: z.literal("LIST"), policy: listPolicy }),
  z.object({ type: z.literal("CUSTOM"), policy: customPolicy }),
]);
export type TableRule = z.infer<typeof tableRule>;

/** The member of `v1` each rule type fills. */
export const policyMember = { AGGREGATION: "aggregation", LIST: "list", CUSTOM: "custom" } as const satisfies Record<AnalysisRuleType, string>;

/** The rule a stored policy holds for its type, or null when the policy lacks that member. */
export function tableRuleOf(type: AnalysisRuleType, policy: ConfiguredTableRulePolicy): TableRule | null {
  const { aggregation, list, custom } = policy.v1;
  if (type === "AGGREGATION") return aggregation ? { type, policy: aggregation } : null;
  if (type === "LIST") return list ? { type, policy: list } : null;
  return custom ? { type, policy: custom } : null;
}

/** Whether a rule protects its table with differential privacy: a custom rule that names the user identifier. */
export const protectsWithDifferentialPrivacy = (rule: TableRule | null | undefined): boolean => rule?.type === "CUSTOM" && !!rule.policy.differentialPrivacy;
