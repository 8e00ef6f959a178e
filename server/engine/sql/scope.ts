import { findTable, type CatalogTable, type QueryCatalog } from "./catalog";
import { locate, refuse } from "./refusal";
import { columnNames, isNode, type Node } from "./tree";

// The FROM clause of an aggregation or list query: base tables of the collaboration joined with
// INNER JOIN … ON, nothing else.

export interface ScopedTable {
  /** How the query names the table: its alias, else its name (lower case). */
  key: string;
  table: CatalogTable;
}

export interface FromClause {
  tables: ScopedTable[];
  /** The ON conditions, one per join. */
  conditions: Node[];
}

export function flatFrom(from: unknown, catalog: QueryCatalog, ruleName: string): FromClause {
  const clause: FromClause = { tables: [], conditions: [] };
  const visit = (ref: unknown): void => {
    if (!isNode(ref)) refuse(`The ${ruleName} rule requires a FROM clause naming the collaboration's tables.`);
    locate(ref as Node, () => visitRef(ref as Node));
  };
  const visitRef = (node: Node): void => {
    if (node.type === "BASE_TABLE") {
      const table = findTable(catalog, String(node.table_name));
      if (!table) refuse(`Table "${String(node.table_name)}" is not a table of this collaboration.`);
      // t(a, b) renames columns by position, so that a dimension's name could stand for another column.
      if ((node.column_name_alias as unknown[] | undefined)?.length) refuse(`Column aliases on a table (${String(node.table_name)} AS t(a, b, …)) are not allowed by the ${ruleName} rule.`);
      if (node.sample) refuse(`TABLESAMPLE is not allowed by the ${ruleName} rule.`);
      const key = String(node.alias || node.table_name).toLowerCase();
      if (clause.tables.some((t) => t.key === key)) refuse(`The name "${key}" is used for two tables; give each table its own alias.`);
      clause.tables.push({ key, table: table! });
      return;
    }
    if (node.type === "JOIN") {
      if (node.join_type !== "INNER" || node.ref_type !== "REGULAR") {
        const kind = node.ref_type === "CROSS" ? "cross joins (FROM a, b)" : node.ref_type === "NATURAL" ? "natural joins" : `${String(node.join_type).toLowerCase()} outer joins`;
        refuse(`The ${ruleName} rule allows only INNER JOIN … ON; ${kind} are not allowed.`);
      }
      if ((node.using_columns as unknown[] | undefined)?.length) refuse(`The ${ruleName} rule requires JOIN … ON with explicit conditions; JOIN … USING is not allowed.`);
      if (!node.condition) refuse(`Every join needs an ON condition under the ${ruleName} rule.`);
      visit(node.left);
      visit(node.right);
      clause.conditions.push(node.condition as Node);
      return;
    }
    if (node.type === "SUBQUERY") refuse(`Subqueries are not allowed by the ${ruleName} rule.`);
    refuse(`The ${ruleName} rule allows only the collaboration's tables in FROM; ${String(node.type).toLowerCase().replace(/_/g, " ")} references are not allowed.`);
  };
  visit(from);
  return clause;
}

export interface ResolvedColumn {
  scoped: ScopedTable;
  column: string;
}

/** Which table's column a reference names; refuses unknown and ambiguous names. */
export function resolveColumn(ref: Node, tables: ScopedTable[]): ResolvedColumn | null {
  const names = columnNames(ref).map((n) => n.toLowerCase());
  if (names.length === 2) {
    const scoped = tables.find((t) => t.key === names[0]);
    if (!scoped) refuse(`"${names[0]}" is not a table or alias in this query.`);
    if (!scoped!.table.columns.some((c) => c.name.toLowerCase() === names[1])) {
      refuse(`Column "${names[1]}" is not an allowed column of "${scoped!.table.name}".`);
    }
    return { scoped: scoped!, column: names[1]! };
  }
  if (names.length === 1) {
    const owners = tables.filter((t) => t.table.columns.some((c) => c.name.toLowerCase() === names[0]));
    if (owners.length > 1) refuse(`Column "${names[0]}" is ambiguous: it is a column of ${owners.map((o) => `"${o.table.name}"`).join(" and ")}; qualify it with a table name or alias.`);
    if (owners.length === 0) return null;
    return { scoped: owners[0]!, column: names[0]! };
  }
  refuse(`Column reference "${names.join(".")}" is not allowed; use column or table.column.`);
  return null;
}

/** Connected groups of tables, joined by the ON conditions. */
export function joinGraph(tables: ScopedTable[], edges: [string, string][]): Map<string, Set<string>> {
  const adjacency = new Map(tables.map((t) => [t.key, new Set<string>()]));
  for (const [a, b] of edges) {
    adjacency.get(a)?.add(b);
    adjacency.get(b)?.add(a);
  }
  return adjacency;
}

export function reachable(graph: Map<string, Set<string>>, from: string): Set<string> {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length) {
    for (const next of graph.get(queue.shift()!) ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return seen;
}
