// Scalar functions the aggregation rule can allow, as DuckDB's parser names them. A rule's
// `scalarFunctions` lists AWS's names; `duckdbNames` maps each DuckDB spelling back to them.
export const duckdbNames: Record<string, string> = {
  abs: "ABS",
  ceiling: "CEILING",
  ceil: "CEILING",
  floor: "FLOOR",
  ln: "LN",
  log: "LOG",
  log10: "LOG",
  lower: "LOWER",
  lcase: "LOWER",
  upper: "UPPER",
  ucase: "UPPER",
  round: "ROUND",
  rtrim: "RTRIM",
  trim: "TRIM",
  sqrt: "SQRT",
  substring: "SUBSTRING",
  substr: "SUBSTRING",
  trunc: "TRUNC",
  date_part: "EXTRACT",
  extract: "EXTRACT",
  current_date: "CURRENT_DATE",
  getdate: "GETDATE",
  to_timestamp: "TO_TIMESTAMP",
};

/** AWS functions whose DuckDB counterpart has another name: the tree is rewritten before running. */
export const executableName: Record<string, string> = {
  getdate: "now",
};

export const aggregateNames: Record<string, [plain: string, distinct: string]> = {
  count: ["COUNT", "COUNT_DISTINCT"],
  sum: ["SUM", "SUM_DISTINCT"],
  avg: ["AVG", "AVG"],
};

export const arithmetic = new Set(["+", "-", "*", "/", "%", "//"]);
export const likeOperators = new Set(["~~", "!~~", "~~*", "!~~*"]);
