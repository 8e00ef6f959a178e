import { findTable, type QueryCatalog } from "./catalog";
import { locate, refuse } from "./refusal";
import { columnNames, expressions, isNode, type Node } from "./tree";

// WITH queries and subqueries in FROM, for queries on differentially private tables: each must
// return user-level rows (a projection and a filter of the collaboration's tables, joined with
// INNER JOIN … ON; no aggregation, DISTINCT, window, ORDER BY or LIMIT), so it can be merged
// into the query that reads it, as a database merges a view: its tables join the outer FROM
// under names of their own, its WHERE joins the outer WHERE (the same rows, as every join is
// an inner join), and each reference to one of its columns becomes the expression it stands for.
// The plan then sees one flat SELECT whose every row belongs to one user.

const rule = "in queries on differentially private tables";

interface Merged {
  /** The subquery's FROM, its tables renamed under its alias. */
  from: Node;
  where: Node | null;
  /** Output column (lower case) → the expression it stands for. */
  outputs: Map<string, Node>;
}

const and = (a: Node | null, b: Node | null): Node | null => (!a ? b : !b ? a : { class: "CONJUNCTION", type: "CONJUNCTION_AND", alias: "", children: [a, b] });

const columnRef = (table: string, column: string): Node => ({ class: "COLUMN_REF", type: "COLUMN_REF", alias: "", column_names: [table, column] });

/** The query with every WITH query and FROM subquery merged into it; the tree is not changed in place. */
export function flattenSubqueries(root: Node, catalog: QueryCatalog): Node {
  const copy = structuredClone(root);
  const ctes = new Map<string, Node>();
  for (const entry of (copy.cte_map as { map: { key: string; value: { query: { node: Node }; aliases?: unknown[] } }[] }).map) {
    if (entry.value.aliases?.length) refuse(`Column names after a WITH query's name are not allowed ${rule}; name the columns in its SELECT.`);
    ctes.set(String(entry.key).toLowerCase(), entry.value.query.node);
  }
  copy.cte_map = { map: [] };
  let counter = 0;

  // Columns of the outer query's own tables: a bare name they share with a subquery's column is ambiguous.
  const outerColumns = new Set<string>();
  const mergeFrom = (ref: Node, outer: Map<string, Merged>): Node => {
    if (ref.type === "JOIN") return { ...ref, left: mergeFrom(ref.left as Node, outer), right: mergeFrom(ref.right as Node, outer) };
    let inner: Node | undefined;
    let alias = String(ref.alias || "").toLowerCase();
    if (ref.type === "BASE_TABLE" && ctes.has(String(ref.table_name).toLowerCase())) {
      inner = structuredClone(ctes.get(String(ref.table_name).toLowerCase())!);
      alias ||= String(ref.table_name).toLowerCase();
    } else if (ref.type === "SUBQUERY") {
      inner = (ref.subquery as { node: Node }).node;
      if (!alias) refuse(`Give each subquery in FROM an alias ${rule}.`);
    }
    if (!inner) {
      if (ref.type === "BASE_TABLE") for (const c of findTable(catalog, String(ref.table_name))?.columns ?? []) outerColumns.add(c.name.toLowerCase());
      return ref;
    }
    if ((ref.column_name_alias as unknown[] | undefined)?.length) refuse(`Column names after a subquery's alias are not allowed ${rule}; name the columns in its SELECT.`);
    const merged = locate(ref, () => mergeSubquery(inner!, alias, `${alias}__${++counter}`));
    outer.set(alias, merged);
    return merged.from;
  };

  const mergeSubquery = (node: Node, alias: string, prefix: string): Merged => {
    if (node.type !== "SELECT_NODE") refuse(`A subquery or WITH query ${rule} is a single SELECT (no UNION, INTERSECT or EXCEPT).`);
    if ((node.cte_map as { map: unknown[] }).map.length) refuse(`WITH inside a subquery is not allowed ${rule}.`);
    if ((node.modifiers as unknown[]).length || node.qualify || node.sample || isNode(node.having) || (node.group_expressions as unknown[]).length || node.aggregate_handling !== "STANDARD_HANDLING") {
      refuse(`A subquery or WITH query ${rule} must return user-level rows: no GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT, QUALIFY or TABLESAMPLE.`);
    }
    for (const expr of expressions(node.select_list)) {
      if (expr.class === "WINDOW" || expr.class === "SUBQUERY") refuse(`A subquery or WITH query ${rule} must return user-level rows: no window functions or nested subqueries in its SELECT.`);
    }
    // Its own tables, renamed so that they cannot clash with the outer query's.
    const keys = new Map<string, { name: string; columns: string[] }>();
    const rename = (ref: unknown): Node => {
      if (!isNode(ref)) return refuse(`A subquery or WITH query ${rule} reads the collaboration's tables in FROM.`);
      if (ref.type === "JOIN") {
        if (ref.join_type !== "INNER" || ref.ref_type !== "REGULAR" || !isNode(ref.condition)) refuse(`Tables in a subquery ${rule} join with INNER JOIN … ON.`);
        const [left, right] = [rename(ref.left), rename(ref.right)];
        // The join's own condition names the tables by their old names: qualified once both sides are renamed.
        return { ...ref, left, right, condition: qualify(ref.condition as Node) };
      }
      if (ref.type !== "BASE_TABLE" || ctes.has(String(ref.table_name).toLowerCase())) refuse(`A subquery or WITH query ${rule} reads only the collaboration's tables (not other subqueries).`);
      const table = findTable(catalog, String(ref.table_name));
      if (!table) refuse(`Table "${String(ref.table_name)}" is not a table of this collaboration.`);
      const key = String(ref.alias || ref.table_name).toLowerCase();
      const name = `${prefix}__${key}`;
      keys.set(key, { name, columns: table!.columns.map((c) => c.name) });
      return { ...ref, alias: name };
    };
    const qualify = (expr: Node): Node => {
      const copy = structuredClone(expr);
      for (const ref of expressions(copy)) {
        if (ref.class !== "COLUMN_REF") continue;
        const names = columnNames(ref).map((n) => n.toLowerCase());
        if (names.length === 2) {
          const owner = keys.get(names[0]!);
          if (!owner) refuse(`"${names[0]}" is not a table or alias in the subquery "${alias}".`);
          ref.column_names = [owner!.name, names[1]];
        } else if (names.length === 1) {
          const owners = [...keys.values()].filter((k) => k.columns.some((c) => c.toLowerCase() === names[0]));
          if (owners.length !== 1)
            refuse(`Column "${names[0]}" is ${owners.length ? "ambiguous" : "not an allowed column of any table"} in the subquery "${alias}"; qualify it with a table name or alias.`);
          ref.column_names = [owners[0]!.name, names[0]];
        } else refuse(`Column reference "${names.join(".")}" is not allowed; use column or table.column.`);
      }
      return copy;
    };
    const from = rename(node.from_table);
    const outputs = new Map<string, Node>();
    const output = (name: string, expr: Node) => {
      if (outputs.has(name)) refuse(`The subquery "${alias}" returns two columns named "${name}"; give each its own name.`);
      outputs.set(name, expr);
    };
    for (const item of node.select_list as Node[]) {
      if (item.class === "STAR") {
        if (item.columns || (item.exclude_list as unknown[])?.length || (item.replace_list as unknown[])?.length) refuse(`Only plain * is allowed in a subquery ${rule}.`);
        const only = String(item.relation_name || "").toLowerCase();
        if (only && !keys.has(only)) refuse(`"${only}" is not a table or alias in the subquery "${alias}".`);
        for (const [key, table] of keys) if (!only || key === only) for (const column of table.columns) output(column.toLowerCase(), columnRef(table.name, column));
        continue;
      }
      const name = String(item.alias || (item.class === "COLUMN_REF" ? columnNames(item).at(-1) : "")).toLowerCase();
      if (!name) refuse(`Give each computed column of the subquery "${alias}" a name (AS …) ${rule}.`);
      output(name, { ...qualify(item), alias: "" });
    }
    return { from, where: isNode(node.where_clause) ? qualify(node.where_clause) : null, outputs };
  };

  const merged = new Map<string, Merged>();
  copy.from_table = mergeFrom(copy.from_table as Node, merged);
  if (!merged.size) return copy;
  const substitute = (expr: Node, keepName: boolean): Node => {
    if (expr.class === "COLUMN_REF") {
      const names = columnNames(expr).map((n) => n.toLowerCase());
      const found = names.length === 2 ? merged.get(names[0]!) : undefined;
      if (found) {
        const target = found.outputs.get(names[1]!);
        if (!target) refuse(`The subquery "${names[0]}" has no column "${names[1]}".`);
        return { ...structuredClone(target!), alias: String(expr.alias || (keepName ? names[1] : "")) };
      }
      if (names.length === 1) {
        const owners = [...merged.values()].filter((m) => m.outputs.has(names[0]!));
        if (owners.length > 1 || (owners.length === 1 && outerColumns.has(names[0]!))) refuse(`Column "${names[0]}" is ambiguous: more than one table or subquery has it; qualify it with an alias.`);
        if (owners.length === 1) return { ...structuredClone(owners[0]!.outputs.get(names[0]!)!), alias: String(expr.alias || (keepName ? names[0] : "")) };
      }
      return expr;
    }
    const walk = (value: unknown): unknown => (Array.isArray(value) ? value.map(walk) : isNode(value) && typeof value.class === "string" ? substitute(value, false) : value);
    return Object.fromEntries(Object.entries(expr).map(([k, v]) => [k, walk(v)])) as Node;
  };
  copy.select_list = (copy.select_list as Node[]).map((item) => substitute(item, true));
  copy.group_expressions = (copy.group_expressions as Node[]).map((g) => substitute(g, false));
  let where = isNode(copy.where_clause) ? substitute(copy.where_clause, false) : null;
  for (const m of merged.values()) where = and(where, m.where);
  copy.where_clause = where;
  const conditions = (ref: Node): void => {
    if (ref.type !== "JOIN") return;
    if (isNode(ref.condition)) ref.condition = substitute(ref.condition, false);
    conditions(ref.left as Node);
    conditions(ref.right as Node);
  };
  conditions(copy.from_table as Node);
  // ORDER BY names output columns; a subquery's column by its qualified name is the expression it stands for.
  for (const modifier of copy.modifiers as Node[]) {
    for (const item of (modifier.type === "ORDER_MODIFIER" ? modifier.orders : []) as Node[]) {
      const expr = item.expression as Node;
      if (expr.class === "COLUMN_REF" && columnNames(expr).length === 2) item.expression = substitute(expr, false);
    }
  }
  return copy;
}
