import type { ListPolicy, QueryCatalog } from "./catalog";
import { arithmetic, likeOperators } from "./functions";
import { allowedOperators, checkJoinConditions } from "./joins";
import { locate, refuse } from "./refusal";
import { joinGraph, reachable, resolveColumn, type FromClause, type ScopedTable } from "./scope";
import { columnNames, type Node } from "./tree";

// The list rule: SELECT DISTINCT of list columns from tables joined on join columns, an optional
// WHERE with comparisons, IN, LIKE, IS [NOT] NULL and arithmetic, an optional LIMIT. No
// functions. The query must join, directly or transitively, to a table of the member who queries.

const policyOf = (scoped: ScopedTable) => scoped.table.rule!.policy as ListPolicy;

export function validateList(select: Node, from: FromClause, catalog: QueryCatalog): void {
  const { tables } = from;
  if ((select.cte_map as { map: unknown[] }).map.length) refuse("WITH (common table expressions) is not allowed by the list rule.");
  const modifiers = select.modifiers as Node[];
  if (!modifiers.some((m) => m.type === "DISTINCT_MODIFIER")) refuse("List queries must use SELECT DISTINCT.");
  for (const modifier of modifiers) {
    if (modifier.type === "ORDER_MODIFIER") refuse("ORDER BY is not allowed by the list rule.");
    if (modifier.type === "DISTINCT_MODIFIER" && (modifier.distinct_on_targets as unknown[] | undefined)?.length) refuse("DISTINCT ON is not allowed by the list rule.");
    if (modifier.type === "LIMIT_MODIFIER" && modifier.offset) refuse("OFFSET is not allowed by the list rule.");
    if (modifier.type === "LIMIT_PERCENT_MODIFIER") refuse("LIMIT … PERCENT is not allowed by the list rule.");
    // A computed limit would turn data into the number of rows returned.
    if (modifier.type === "LIMIT_MODIFIER" && (modifier.limit as Node | null)?.class !== "CONSTANT") refuse("The list rule allows LIMIT only with a number.");
  }
  if ((select.group_expressions as unknown[]).length || select.having) refuse("GROUP BY and HAVING are not allowed by the list rule.");
  if (select.qualify || select.sample) refuse("QUALIFY and TABLESAMPLE are not allowed by the list rule.");

  const operators = allowedOperators(tables.map((t) => policyOf(t).allowedJoinOperators));
  const edges = checkJoinConditions(from.conditions, tables, (t) => policyOf(t).joinColumns.map((c) => c.toLowerCase()), operators, "list");
  const graph = joinGraph(tables, edges);
  const runnerTables = tables.filter((t) => t.table.ownerAccountId === catalog.runnerAccountId).map((t) => t.key);
  for (const scoped of tables) {
    if (scoped.table.ownerAccountId === catalog.runnerAccountId) continue;
    const reach = reachable(graph, scoped.key);
    if (!runnerTables.some((key) => reach.has(key))) refuse(`Table "${scoped.table.name}" must be joined, directly or through other tables, to a table of the member who queries (list rule).`);
  }

  const listColumn = (expr: Node, clause: string) => locate(expr, () => listColumnOf(expr, clause));
  const listColumnOf = (expr: Node, clause: string) => {
    const resolved = resolveColumn(expr, tables);
    if (!resolved) refuse(`Column "${columnNames(expr).join(".")}" is not an allowed column of any table in the query.`);
    const policy = policyOf(resolved!.scoped);
    if (!policy.listColumns.map((c) => c.toLowerCase()).includes(resolved!.column)) {
      const role = policy.joinColumns.map((c) => c.toLowerCase()).includes(resolved!.column) ? "a join column, usable only in JOIN conditions" : "not a list column";
      refuse(`Column "${resolved!.column}" of "${resolved!.scoped.table.name}" is ${role}; the list rule does not allow it in ${clause}.`);
    }
  };

  for (const item of select.select_list as Node[]) {
    locate(item, () => {
      if (item.class === "STAR") refuse("SELECT * is not allowed by the list rule; name the list columns.");
      if (item.class !== "COLUMN_REF") refuse("The list rule allows only list columns in SELECT, without functions or expressions.");
      listColumn(item, "SELECT");
    });
  }

  const filter = (expr: Node): void => locate(expr, () => filterNode(expr));
  const filterNode = (expr: Node): void => {
    switch (expr.class) {
      case "CONSTANT":
        return;
      case "COLUMN_REF":
        return listColumn(expr, "WHERE");
      case "COMPARISON":
        filter(expr.left as Node);
        filter(expr.right as Node);
        return;
      case "CONJUNCTION":
        return (expr.children as Node[]).forEach(filter);
      case "BETWEEN":
        return [expr.input, expr.lower, expr.upper].forEach((e) => filter(e as Node));
      case "OPERATOR":
        if (!["OPERATOR_NOT", "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL", "COMPARE_IN", "COMPARE_NOT_IN"].includes(String(expr.type)))
          refuse(`${String(expr.type).toLowerCase().replace(/_/g, " ")} is not allowed in a list query's WHERE.`);
        return (expr.children as Node[]).forEach(filter);
      case "FUNCTION": {
        const name = String(expr.function_name);
        if (expr.is_operator && (arithmetic.has(name) || likeOperators.has(name))) return (expr.children as Node[]).forEach(filter);
        refuse(`Function ${name.toUpperCase()} is not allowed: the list rule allows no functions.`);
        return;
      }
      case "SUBQUERY":
        refuse("Subqueries are not allowed by the list rule.");
        return;
      default:
        refuse(`${String(expr.class).toLowerCase().replace(/_/g, " ")} expressions are not allowed in a list query's WHERE.`);
    }
  };
  if (select.where_clause) filter(select.where_clause as Node);
}
