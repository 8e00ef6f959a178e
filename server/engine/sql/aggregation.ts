import type { AggregationPolicy, QueryCatalog } from "./catalog";
import { aggregateNames, arithmetic, duckdbNames, executableName, likeOperators } from "./functions";
import { allowedOperators, checkJoinConditions } from "./joins";
import { locate, refuse } from "./refusal";
import { joinGraph, reachable, resolveColumn, type FromClause, type ResolvedColumn, type ScopedTable } from "./scope";
import { columnNames, type Node } from "./tree";

// The aggregation rule: aggregates of aggregate columns with their allowed functions; dimension
// columns to select, filter, group and order; join columns only in INNER JOIN conditions; allowed
// scalar functions; nothing else. Output constraints are enforced by the rewrite that follows.

type Clause = "SELECT" | "WHERE" | "GROUP BY" | "HAVING" | "ORDER BY";

export interface OutputConstraint {
  tableKey: string;
  column: string;
  minimum: number;
}

const policyOf = (scoped: ScopedTable) => scoped.table.rule!.policy as AggregationPolicy;
const listOf = (names: string[]) => names.map((n) => n.toUpperCase().replace("_DISTINCT", " DISTINCT")).join(" or ");

export function validateAggregation(select: Node, from: FromClause, catalog: QueryCatalog): OutputConstraint[] {
  const { tables } = from;
  if ((select.cte_map as { map: unknown[] }).map.length) refuse("WITH (common table expressions) is not allowed by the aggregation rule.");
  for (const modifier of select.modifiers as Node[]) {
    if (modifier.type === "LIMIT_MODIFIER" || modifier.type === "LIMIT_PERCENT_MODIFIER") refuse("LIMIT is not allowed by the aggregation rule: every group that meets the rules is returned.");
    if (modifier.type === "DISTINCT_MODIFIER") refuse("SELECT DISTINCT is not allowed by the aggregation rule; use GROUP BY.");
  }
  if (select.qualify || select.sample) refuse("QUALIFY and TABLESAMPLE are not allowed by the aggregation rule.");
  if ((select.group_sets as unknown[]).length > 1) refuse("GROUPING SETS, ROLLUP and CUBE are not allowed by the aggregation rule; run one query per grouping.");
  if ((select.aggregate_handling as string) !== "STANDARD_HANDLING") refuse("GROUP BY ALL is not allowed by the aggregation rule; name the dimension columns.");

  const operators = allowedOperators(tables.map((t) => policyOf(t).allowedJoinOperators));
  const edges = checkJoinConditions(from.conditions, tables, (t) => policyOf(t).joinColumns.map((c) => c.toLowerCase()), operators, "aggregation");
  const graph = joinGraph(tables, edges);
  for (const scoped of tables) {
    if (policyOf(scoped).joinRequired === "QUERY_RUNNER" && scoped.table.ownerAccountId !== catalog.runnerAccountId) {
      const joined = [...reachable(graph, scoped.key)].some((key) => tables.find((t) => t.key === key)!.table.ownerAccountId === catalog.runnerAccountId);
      if (!joined) refuse(`Table "${scoped.table.name}" requires a join to a table of the member who queries (joinRequired: QUERY_RUNNER).`);
    }
  }

  // Scalar functions must be allowed by every table's rule: the strictest list wins.
  const scalar = new Set<string>(tables.map((t) => new Set<string>(policyOf(t).scalarFunctions)).reduce((a, b) => new Set([...a].filter((f) => b.has(f)))));
  const aliases = new Set((select.select_list as Node[]).map((e) => String(e.alias || "").toLowerCase()).filter(Boolean));

  const dimension = (resolved: ResolvedColumn, clause: Clause) => {
    const policy = policyOf(resolved.scoped);
    const name = resolved.column;
    if (policy.dimensionColumns.map((c) => c.toLowerCase()).includes(name)) return;
    const table = resolved.scoped.table.name;
    if (policy.joinColumns.map((c) => c.toLowerCase()).includes(name))
      refuse(`Column "${name}" of "${table}" is a join column: it may appear only in JOIN conditions and inside COUNT, never in ${clause} on its own.`);
    const functions = policy.aggregateColumns.filter((a) => a.columnNames.map((c) => c.toLowerCase()).includes(name)).map((a) => a.function);
    if (functions.length) refuse(`Column "${name}" of "${table}" may only be aggregated with ${listOf(functions)}; it cannot appear in ${clause} outside an aggregate.`);
    refuse(`Column "${name}" of "${table}" is not a dimension column; the aggregation rule does not allow it in ${clause}.`);
  };

  const scalarFunction = (name: string) => {
    const aws = duckdbNames[name];
    if (!aws) refuse(`Function ${name.toUpperCase()} is not allowed by the aggregation rule.`);
    if (!scalar.has(aws!)) refuse(`Scalar function ${aws} is not in the aggregation rule's scalarFunctions${scalar.size ? ` (${[...scalar].join(", ")})` : " (none allowed)"}.`);
  };

  let aggregates = 0;
  const check = (expr: Node, clause: Clause, inAggregate: boolean): void => locate(expr, () => checkNode(expr, clause, inAggregate));
  const checkNode = (expr: Node, clause: Clause, inAggregate: boolean): void => {
    switch (expr.class) {
      case "CONSTANT":
        return;
      case "COLUMN_REF": {
        const resolved = resolveColumn(expr, tables);
        if (!resolved) {
          const name = columnNames(expr)[0]!.toLowerCase();
          if ((clause === "ORDER BY" || clause === "HAVING" || clause === "GROUP BY") && aliases.has(name)) return;
          if (name === "current_date") return scalarFunction("current_date");
          refuse(`Column "${columnNames(expr).join(".")}" is not an allowed column of any table in the query.`);
        }
        if (!inAggregate) dimension(resolved!, clause);
        return;
      }
      case "FUNCTION": {
        const name = String(expr.function_name).toLowerCase();
        if (expr.is_operator) {
          if (!arithmetic.has(name) && !likeOperators.has(name)) refuse(`Operator ${name} is not allowed by the aggregation rule.`);
          for (const child of expr.children as Node[]) check(child, clause, inAggregate);
          return;
        }
        if (name === "count_star") refuse("COUNT(*) is not allowed by the aggregation rule: count a column the rule lets you count, for example COUNT(DISTINCT customer_id).");
        if (aggregateNames[name]) {
          if (clause !== "SELECT" && clause !== "HAVING" && clause !== "ORDER BY") refuse(`Aggregate functions are not allowed in ${clause}.`);
          if (inAggregate) refuse("Aggregates inside aggregates are not allowed by the aggregation rule.");
          if (expr.filter || (expr.order_bys as { orders: unknown[] }).orders.length) refuse("FILTER and ORDER BY inside an aggregate are not allowed by the aggregation rule.");
          const args = expr.children as Node[];
          if (args.length !== 1 || args[0]!.class !== "COLUMN_REF") {
            refuse(`${aggregateNames[name]![0]} must be applied to a single column: aggregates of expressions are not allowed by the aggregation rule.`);
          }
          const resolved = resolveColumn(args[0]!, tables);
          if (!resolved) refuse(`Column "${columnNames(args[0]!).join(".")}" is not an allowed column of any table in the query.`);
          const fn = aggregateNames[name]![expr.distinct ? 1 : 0];
          const policy = policyOf(resolved!.scoped);
          const allowed = policy.aggregateColumns.filter((a) => a.columnNames.map((c) => c.toLowerCase()).includes(resolved!.column)).map((a) => a.function as string);
          const isJoin = policy.joinColumns.map((c) => c.toLowerCase()).includes(resolved!.column);
          if (isJoin) allowed.push("COUNT", "COUNT_DISTINCT");
          if (!allowed.includes(fn)) {
            const table = resolved!.scoped.table.name;
            if (!allowed.length) refuse(`Column "${resolved!.column}" of "${table}" is not an aggregate column; the aggregation rule does not allow aggregating it.`);
            refuse(`Column "${resolved!.column}" of "${table}" may only be aggregated with ${listOf([...new Set(allowed)])}, not ${fn.replace("_DISTINCT", " DISTINCT")}.`);
          }
          if (clause === "SELECT") aggregates++;
          return;
        }
        if (
          [
            "min",
            "max",
            "median",
            "stddev",
            "variance",
            "mode",
            "quantile",
            "string_agg",
            "list",
            "array_agg",
            "first",
            "last",
            "any_value",
            "arbitrary",
            "bit_and",
            "bool_and",
            "approx_count_distinct",
          ].includes(name)
        ) {
          refuse(`Aggregate function ${name.toUpperCase()} is not allowed by the aggregation rule: it allows COUNT, COUNT DISTINCT, SUM, SUM DISTINCT and AVG.`);
        }
        scalarFunction(name);
        if (expr.distinct || expr.filter) refuse(`${name.toUpperCase()} cannot take DISTINCT or FILTER.`);
        for (const child of expr.children as Node[]) check(child, clause, inAggregate);
        return;
      }
      case "CAST":
        if (!scalar.has("CAST")) refuse("CAST is not in the aggregation rule's scalarFunctions.");
        return check(expr.child as Node, clause, inAggregate);
      case "OPERATOR":
        if (expr.type === "OPERATOR_COALESCE" && !scalar.has("COALESCE")) refuse("COALESCE is not in the aggregation rule's scalarFunctions.");
        if (!["OPERATOR_COALESCE", "OPERATOR_NOT", "OPERATOR_IS_NULL", "OPERATOR_IS_NOT_NULL", "COMPARE_IN", "COMPARE_NOT_IN"].includes(String(expr.type))) {
          refuse(`${String(expr.type).replace("OPERATOR_", "").toLowerCase()} is not allowed by the aggregation rule.`);
        }
        for (const child of expr.children as Node[]) check(child, clause, inAggregate);
        return;
      case "COMPARISON":
        check(expr.left as Node, clause, inAggregate);
        check(expr.right as Node, clause, inAggregate);
        return;
      case "CONJUNCTION":
        for (const child of expr.children as Node[]) check(child, clause, inAggregate);
        return;
      case "BETWEEN":
        for (const part of [expr.input, expr.lower, expr.upper] as Node[]) check(part, clause, inAggregate);
        return;
      case "STAR":
        refuse("SELECT * is not allowed by the aggregation rule; name the dimension columns and aggregates.");
        return;
      case "SUBQUERY":
        refuse("Subqueries are not allowed by the aggregation rule.");
        return;
      case "WINDOW":
        refuse("Window functions are not allowed by the aggregation rule.");
        return;
      case "CASE":
        refuse("CASE expressions are not allowed by the aggregation rule.");
        return;
      case "PARAMETER":
        refuse("Query parameters are allowed only in analysis templates.");
        return;
      default:
        refuse(`${String(expr.class).toLowerCase().replace(/_/g, " ")} expressions are not allowed by the aggregation rule.`);
    }
  };

  for (const item of select.select_list as Node[]) check(item, "SELECT", false);
  if (select.where_clause) check(select.where_clause as Node, "WHERE", false);
  for (const group of select.group_expressions as Node[]) check(group, "GROUP BY", false);
  if (select.having) check(select.having as Node, "HAVING", false);
  for (const modifier of select.modifiers as Node[]) {
    if (modifier.type === "ORDER_MODIFIER") for (const order of modifier.orders as { expression: Node }[]) check(order.expression, "ORDER BY", false);
  }
  if (aggregates === 0) refuse("An aggregation query must select at least one aggregate (COUNT, SUM or AVG of a column the rule allows).");

  // Every table's output constraints apply, each counted on the protected table's own column as
  // stored. Never on a column joined to it: the other side may hold many values (spellings,
  // duplicates) that match one of the protected table's, which would let a group of one pass.
  const strictest = new Map<string, OutputConstraint>();
  for (const scoped of tables) {
    for (const c of policyOf(scoped).outputConstraints) {
      const constraint = { tableKey: scoped.key, column: c.columnName.toLowerCase(), minimum: c.minimum };
      const id = `${constraint.tableKey}.${constraint.column}`;
      strictest.set(id, { ...constraint, minimum: Math.max(constraint.minimum, strictest.get(id)?.minimum ?? 0) });
    }
  }
  return [...strictest.values()];
}

/** DuckDB spellings for AWS scalar functions that DuckDB names differently. */
export function translateFunctions(tree: unknown): void {
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== "object") return;
    const node = value as Node;
    if (node.class === "FUNCTION" && executableName[String(node.function_name).toLowerCase()]) node.function_name = executableName[String(node.function_name).toLowerCase()];
    Object.values(node).forEach(visit);
  };
  visit(tree);
}
