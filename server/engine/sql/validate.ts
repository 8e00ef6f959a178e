import { validateAggregation, translateFunctions, type OutputConstraint } from "./aggregation";
import { findTable, type CatalogTable, type QueryCatalog, type QuerySource, type RuleType } from "./catalog";
import { validateCustom } from "./custom";
import { validateList } from "./list";
import { deparseSql, parseSql, referencedTables, SqlSyntaxError, type ParseTree } from "./parse";
import { QueryRefusal, refuse } from "./refusal";
import { flatFrom } from "./scope";
import { checkDepth, isNode, quoteIdent, tableRefs, type Node } from "./tree";

// The one validator: parse with DuckDB, check the query against every rule of every table it
// reads, and produce the SQL the executor runs, rewritten from the same tree (output
// constraints added), so the validator and the executor cannot read the query differently.

export const MAX_QUERY_LENGTH = 500_000;
const MAX_TREE_DEPTH = 600;

export interface ValidatedQuery {
  ruleType: RuleType;
  tables: CatalogTable[];
  /** The SQL to run: DuckDB's rendering of the checked (and rewritten) tree. */
  sql: string;
  outputConstraints: OutputConstraint[];
}

export async function validateQuery(sql: string, catalog: QueryCatalog, source: QuerySource = { kind: "sql" }): Promise<ValidatedQuery> {
  if (sql.length > MAX_QUERY_LENGTH) refuse(`The query is ${sql.length} characters long; the limit is ${MAX_QUERY_LENGTH}.`);
  let tree: ParseTree;
  try {
    tree = await parseSql(sql);
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    if (/only SELECT statements/i.test(error.message)) refuse("Only a single SELECT statement is allowed.");
    refuse(`The query does not parse: ${error.message.split("\n")[0]}`);
  }
  if (tree!.statements.length !== 1) refuse("Only a single SELECT statement is allowed.");
  checkDepth(tree!, MAX_TREE_DEPTH);
  const root = tree!.statements[0]!.node as Node;

  for (const ref of tableRefs(root)) {
    if (ref.type === "TABLE_FUNCTION") refuse("Table functions (such as read_csv or glob) are not allowed: query the collaboration's tables by name.");
    if (ref.type === "BASE_TABLE" && (ref.schema_name || ref.catalog_name)) {
      refuse(`"${[ref.catalog_name, ref.schema_name, ref.table_name].filter(Boolean).join(".")}" is not a table of this collaboration: tables are named without a schema.`);
    }
    if (!["BASE_TABLE", "JOIN", "SUBQUERY", "EMPTY"].includes(String(ref.type))) refuse(`${String(ref.type).toLowerCase().replace(/_/g, " ")} references are not allowed.`);
  }
  const names = referencedTables(tree!);
  if (!names.length) refuse("The query must read at least one table of the collaboration.");
  const tables = names.map((name) => findTable(catalog, name) ?? refuse(`Table "${name}" is not a table of this collaboration.`));
  for (const table of tables) if (!table.rule) refuse(`Table "${table.name}" has no analysis rule, so it cannot be queried.`);
  const types = [...new Set(tables.map((t) => t.rule!.type))];
  if (types.length > 1) {
    refuse(`Tables with different analysis rules cannot be queried together: ${tables.map((t) => `"${t.name}" has ${t.rule!.type}`).join(", ")}.`);
  }
  const ruleType = types[0]!;
  if (source.kind === "template" && ruleType !== "CUSTOM") refuse("Analysis templates run only on tables with a custom analysis rule.");

  let outputConstraints: OutputConstraint[] = [];
  if (ruleType === "CUSTOM") {
    if (root.type !== "SELECT_NODE" && root.type !== "SET_OPERATION_NODE") refuse("Only a SELECT query is allowed.");
    validateCustom(root, tables, catalog, source);
  } else {
    const ruleName = ruleType === "AGGREGATION" ? "aggregation" : "list";
    if (root.type === "SET_OPERATION_NODE") refuse(`UNION, INTERSECT and EXCEPT are not allowed by the ${ruleName} rule.`);
    if (root.type !== "SELECT_NODE") refuse("Only a SELECT query is allowed.");
    const from = flatFrom(root.from_table, catalog, ruleName);
    if (ruleType === "AGGREGATION") {
      outputConstraints = validateAggregation(root, from, catalog);
      await addOutputConstraints(root, outputConstraints);
      translateFunctions(root);
    } else {
      validateList(root, from, catalog);
    }
  }
  return { ruleType, tables, sql: await deparseSql(tree!), outputConstraints };
}

/**
 * Output constraints become HAVING conditions on the checked tree: every output row must have at
 * least `minimum` distinct values of each constrained column. Rows below vanish, as on AWS.
 */
async function addOutputConstraints(select: Node, constraints: OutputConstraint[]): Promise<void> {
  if (!constraints.length) return;
  const conditions = constraints.map((c) => `count(DISTINCT ${quoteIdent(c.tableKey)}.${quoteIdent(c.column)}) >= ${Math.trunc(c.minimum)}`);
  const parsed = await parseSql(`SELECT 1 HAVING true AND ${conditions.join(" AND ")}`);
  const having = (parsed.statements[0]!.node as Node).having as Node;
  const children = having.children as Node[];
  if (isNode(select.having)) children[0] = select.having as Node;
  else children.shift();
  select.having = children.length === 1 ? children[0]! : having;
}

export { QueryRefusal };
