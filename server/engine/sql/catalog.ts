import type { TableRule } from "@/lib/analysis-rules";
import { refuse } from "./refusal";

// What the querying member sees of a collaboration: the associated tables by name, their allowed
// columns, whose they are, and the analysis rule that guards each. The validator is a pure
// function of a query and this catalog, so the console can run it before submitting a query.

export type { AggregateFunction, AggregationPolicy, CustomPolicy, ListPolicy, TableRule } from "@/lib/analysis-rules";
export type RuleType = TableRule["type"];

export interface CatalogTable {
  /** The association's name: the table's name in SQL. */
  name: string;
  ownerAccountId: string;
  columns: { name: string; type: string }[];
  rule: TableRule | null;
  /**
   * The accounts the table's owner lets receive results (the association's collaboration
   * analysis rule, `allowedResultReceivers`); absent when the owner set no such rule.
   */
  resultReceivers?: string[];
}

export interface QueryCatalog {
  tables: CatalogTable[];
  /** The account of the member who runs the query. */
  runnerAccountId: string;
}

/** How the query arrived: as free SQL, or as an analysis template (by ARN). */
export type QuerySource = { kind: "sql" } | { kind: "template"; arn: string };

/**
 * The table a name means. Names are case-insensitive and unique in a collaboration (the store
 * enforces it); should two tables still answer to one name, the name means neither.
 */
export function findTable(catalog: QueryCatalog, name: string): CatalogTable | undefined {
  const lower = name.toLowerCase();
  const matches = catalog.tables.filter((t) => t.name.toLowerCase() === lower);
  if (matches.length > 1) refuse(`The name "${name}" is given to ${matches.length} tables of this collaboration, so it is refused; the tables' owners must rename their associations.`);
  return matches[0];
}

/** Glue's (Hive's) column types, as DuckDB types for the sandbox's views. */
export function duckdbType(glueType: string): string {
  const t = glueType.toLowerCase().trim();
  const decimal = t.match(/^decimal\((\d+),\s*(\d+)\)$/);
  if (decimal) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  const map: Record<string, string> = {
    bigint: "BIGINT",
    int: "INTEGER",
    integer: "INTEGER",
    smallint: "SMALLINT",
    tinyint: "TINYINT",
    double: "DOUBLE",
    float: "FLOAT",
    boolean: "BOOLEAN",
    date: "DATE",
    timestamp: "TIMESTAMP",
    binary: "BLOB",
  };
  return map[t] ?? "VARCHAR";
}
