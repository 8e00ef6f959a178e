import { validateAggregation, translateFunctions, type OutputConstraint } from "./aggregation";
import { bindTables } from "./bind";
import type { CatalogTable, QueryCatalog, QuerySource, RuleType } from "./catalog";
import { validateCustom } from "./custom";
import { isPrivacyProtected, planDifferentialPrivacy, type PrivacyPlan } from "./differential-privacy";
import { auditTree } from "./grammar";
import { validateList } from "./list";
import { deparseSql, parseSql, SqlSyntaxError, type ParseTree } from "./parse";
import { codePointIndex, QueryRefusal, refuse, utf16Index } from "./refusal";
import { CHECK_TIME_LIMIT_MS, MAX_TREE_NODES, withTimeLimit } from "./limits";
import { flatFrom } from "./scope";
import { checkDepth, isNode, quoteIdent, tableRefs, type Node } from "./tree";
import { log } from "@/server/log";

// The one validator: parse with DuckDB, check the query against every rule of every table it
// reads, and produce the SQL the executor runs, rewritten from the same tree (output
// constraints added), so the validator and the executor cannot read the query differently.

export const MAX_QUERY_LENGTH = 500_000;
const MAX_TREE_DEPTH = 600;

export interface ValidatedQuery {
  ruleType: RuleType;
  /** The catalog tables the query reads, bound once: the sandbox makes views of exactly these. */
  tables: CatalogTable[];
  /** The SQL to run: DuckDB's rendering of the checked (and rewritten) tree. */
  sql: string;
  outputConstraints: OutputConstraint[];
  /** For queries on differentially private tables: how the engine aggregates, bounds and noises them (`sql` is then not run). */
  privacy?: PrivacyPlan;
}

/**
 * A query that passed every rule. The SQL to run is DuckDB's rendering of its checked tree, made
 * only when asked (a check as the analyst types never needs it) and once however often asked.
 */
export interface CheckedQuery extends Omit<ValidatedQuery, "sql"> {
  /** The SQL to run; a tree DuckDB cannot render back is refused (a QueryRefusal). */
  render(): Promise<string>;
}

// What the validator decides is a function of the SQL, the catalog (tables, columns, rules, the
// runner) and the source, nothing else: so a query checked when it was started, and checked again
// moments later when it runs against the very same rules, is looked up rather than worked out
// again, its rendering included (started by the first check that asked for it). Any change of a
// rule, a column or a table changes the key. Only acceptances are kept; the tables are those of
// the catalog passed now, found by their place in it.
interface Remembered {
  verdict: Readonly<Omit<ValidatedQuery, "tables" | "sql"> & { tableIndexes: number[] }>;
  render: () => Promise<string>;
}
const remembered = new Map<string, Remembered>();
const REMEMBERED = 256;
// Keys longer than this (a very long query) are not kept: 256 of them could hold a lot of memory.
const REMEMBERED_KEY_CHARS = 64 * 1024;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Checks a query against the rules of every table it reads; refusals are QueryRefusals. */
export async function checkAgainstRules(
  sql: string,
  catalog: QueryCatalog,
  source: QuerySource = { kind: "sql" },
  { timeLimitMs = CHECK_TIME_LIMIT_MS }: { timeLimitMs?: number } = {},
): Promise<CheckedQuery> {
  const key = JSON.stringify([sql, source, catalog]);
  const known = remembered.get(key);
  if (known) {
    remembered.delete(key);
    remembered.set(key, known);
    const { tableIndexes, ...rest } = known.verdict;
    return { ...rest, tables: tableIndexes.map((i) => catalog.tables[i]!), render: known.render };
  }
  try {
    const { tree, ...checked } = await withTimeLimit(timeLimitMs, () => validate(sql, catalog, source));
    const render = renderOnce(tree);
    const { tables, ...rest } = checked;
    const tableIndexes = tables.map((t) => catalog.tables.indexOf(t));
    if (key.length <= REMEMBERED_KEY_CHARS && tableIndexes.every((i) => i >= 0)) {
      remembered.set(key, { verdict: deepFreeze({ ...rest, tableIndexes }), render });
      if (remembered.size > REMEMBERED) remembered.delete(remembered.keys().next().value!);
    }
    return { ...checked, render };
  } catch (error) {
    if (error instanceof QueryRefusal) {
      if (error.byteOffset !== undefined) error.position ??= utf16Index(sql, error.byteOffset);
      throw error;
    }
    unexpected(error);
  }
}

/** checkAgainstRules, with the SQL to run rendered. */
export async function validateQuery(sql: string, catalog: QueryCatalog, source: QuerySource = { kind: "sql" }): Promise<ValidatedQuery> {
  const { render, ...checked } = await checkAgainstRules(sql, catalog, source);
  return { ...checked, sql: await render() };
}

// Whatever else goes wrong (a tree DuckDB cannot render back, say) is a refusal, not a crash.
function unexpected(error: unknown): never {
  log("error", "query validation failed unexpectedly", { error });
  throw new QueryRefusal("The query could not be checked against the analysis rules, so it is refused.");
}

/** Renders the checked tree on the first ask, and answers every ask with that rendering. */
function renderOnce(checkedTree: ParseTree): () => Promise<string> {
  let tree: ParseTree | null = checkedTree;
  let rendering: Promise<string> | undefined;
  return () => {
    if (!rendering) {
      rendering = deparseSql(tree!).catch(unexpected);
      // The tree is needed no more once its rendering has begun.
      tree = null;
    }
    return rendering;
  };
}

async function validate(sql: string, catalog: QueryCatalog, source: QuerySource): Promise<Omit<ValidatedQuery, "sql"> & { tree: ParseTree }> {
  if (sql.length > MAX_QUERY_LENGTH) refuse(`The query is ${sql.length} characters long; the limit is ${MAX_QUERY_LENGTH}.`);
  // DuckDB's parser stops at NUL: what follows would be stored, shown and audited, but not run.
  if (sql.includes("\u0000")) refuse("The query contains a NUL character (U+0000).");
  let tree: ParseTree;
  try {
    tree = await parseSql(sql);
  } catch (error) {
    if (!(error instanceof SqlSyntaxError)) throw error;
    if (/only SELECT statements/i.test(error.message)) refuse("Only a single SELECT statement is allowed.");
    const refusal = new QueryRefusal(`The query does not parse: ${error.message.split("\n")[0]}`);
    if (error.codePoint !== undefined) refusal.position = codePointIndex(sql, error.codePoint);
    throw refusal;
  }
  if (tree!.statements.length !== 1) refuse("Only a single SELECT statement is allowed.");
  checkDepth(tree!, MAX_TREE_DEPTH, MAX_TREE_NODES);
  const root = tree!.statements[0]!.node as Node;

  for (const ref of tableRefs(root)) {
    if (ref.type === "TABLE_FUNCTION") refuse("Table functions (such as read_csv or glob) are not allowed: query the collaboration's tables by name.");
    if (ref.type === "BASE_TABLE" && (ref.schema_name || ref.catalog_name)) {
      refuse(`"${[ref.catalog_name, ref.schema_name, ref.table_name].filter(Boolean).join(".")}" is not a table of this collaboration: tables are named without a schema.`);
    }
  }
  auditTree(root);
  const tables = bindTables(root, catalog);
  if (!tables.length) refuse("The query must read at least one table of the collaboration.");
  for (const table of tables) if (!table.rule) refuse(`Table "${table.name}" has no analysis rule, so it cannot be queried.`);
  const types = [...new Set(tables.map((t) => t.rule!.type))];
  if (types.length > 1) {
    refuse(`Tables with different analysis rules cannot be queried together: ${tables.map((t) => `"${t.name}" has ${t.rule!.type}`).join(", ")}.`);
  }
  for (const table of tables) {
    if (table.resultReceivers && !table.resultReceivers.includes(catalog.runnerAccountId)) {
      refuse(`Account ${catalog.runnerAccountId} is not an allowed result receiver of table "${table.name}".`);
    }
  }
  const ruleType = types[0]!;
  if (source.kind === "template" && ruleType !== "CUSTOM") refuse("Analysis templates run only on tables with a custom analysis rule.");

  let outputConstraints: OutputConstraint[] = [];
  let privacy: PrivacyPlan | undefined;
  if (ruleType === "CUSTOM") {
    if (root.type !== "SELECT_NODE" && root.type !== "SET_OPERATION_NODE") refuse("Only a SELECT query is allowed.");
    validateCustom(root, tables, catalog, source);
    if (tables.some(isPrivacyProtected)) privacy = await planDifferentialPrivacy(root, tables, catalog);
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
  return { ruleType, tables, tree: tree!, outputConstraints, ...(privacy ? { privacy } : {}) };
}

/**
 * Output constraints become HAVING conditions on the checked tree: every output row must have at
 * least `minimum` distinct values of each constrained column. Rows below vanish, as on AWS. The
 * query's own HAVING is evaluated only on groups that passed (CASE evaluates its THEN branch only
 * where WHEN holds), and DuckDB computes the select list after HAVING, so no expression of the
 * member's can fail, or be timed, on a group the member may not see.
 */
async function addOutputConstraints(select: Node, constraints: OutputConstraint[]): Promise<void> {
  if (!constraints.length) return;
  const thresholds = constraints.map((c) => `count(DISTINCT ${quoteIdent(c.tableKey)}.${quoteIdent(c.column)}) >= ${Math.trunc(c.minimum)}`).join(" AND ");
  if (!isNode(select.having)) {
    select.having = ((await parseSql(`SELECT 1 HAVING ${thresholds}`)).statements[0]!.node as Node).having;
    return;
  }
  const guard = ((await parseSql(`SELECT 1 HAVING CASE WHEN ${thresholds} THEN true ELSE false END`)).statements[0]!.node as Node).having as Node;
  (guard.case_checks as Node[])[0]!.then_expr = select.having;
  select.having = guard;
}

export { QueryRefusal };
