// What the querying member sees of a collaboration: the associated tables by name, their allowed
// columns, whose they are, and the analysis rule that guards each. The validator is a pure
// function of a query and this catalog, so the console can run it before submitting a query.

export type RuleType = "AGGREGATION" | "LIST" | "CUSTOM";
export type AggregateFunction = "SUM" | "SUM_DISTINCT" | "COUNT" | "COUNT_DISTINCT" | "AVG";

export interface AggregationPolicy {
  aggregateColumns: { columnNames: string[]; function: AggregateFunction }[];
  joinColumns: string[];
  joinRequired?: "QUERY_RUNNER";
  allowedJoinOperators?: ("AND" | "OR")[];
  dimensionColumns: string[];
  scalarFunctions: string[];
  outputConstraints: { columnName: string; minimum: number; type: "COUNT_DISTINCT" }[];
}

export interface ListPolicy {
  joinColumns: string[];
  allowedJoinOperators?: ("AND" | "OR")[];
  listColumns: string[];
}

export interface CustomPolicy {
  allowedAnalyses: string[];
  allowedAnalysisProviders?: string[];
  disallowedOutputColumns?: string[];
  differentialPrivacy?: { columns: { name: string }[] };
}

export type TableRule =
  | { type: "AGGREGATION"; policy: AggregationPolicy }
  | { type: "LIST"; policy: ListPolicy }
  | { type: "CUSTOM"; policy: CustomPolicy };

export interface CatalogTable {
  /** The association's name: the table's name in SQL. */
  name: string;
  ownerAccountId: string;
  columns: { name: string; type: string }[];
  rule: TableRule | null;
}

export interface QueryCatalog {
  tables: CatalogTable[];
  /** The account of the member who runs the query. */
  runnerAccountId: string;
}

/** How the query arrived: as free SQL, or as an analysis template (by ARN). */
export type QuerySource = { kind: "sql" } | { kind: "template"; arn: string };

export function findTable(catalog: QueryCatalog, name: string): CatalogTable | undefined {
  const lower = name.toLowerCase();
  return catalog.tables.find((t) => t.name.toLowerCase() === lower);
}
