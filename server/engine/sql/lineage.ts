import type { CatalogTable } from "./catalog";
import { columnNames, isNode, type Node } from "./tree";

// Which stored columns each output column of a query can carry values from. The walk covers the
// node types the grammar (grammar.ts) admits, and wherever it cannot tell what a name means it
// answers with a superset: every interpretation DuckDB might bind, at every enclosing level, and
// "every column of every table read" for anything it cannot place. Wrong answers are therefore
// only ever too large, which refuses a query, never too small, which would leak.

export type Lineage = ReadonlySet<string>;
export interface OutputColumn {
  name: string;
  lineage: Lineage;
}
interface Relation {
  columns: OutputColumn[];
}
interface Scope {
  entries: { key: string; relation: Relation }[];
  parent: Scope | null;
}
type Ctes = Map<string, Relation>;

export const columnKey = (table: string, column: string) => `${table.toLowerCase()}\u0000${column.toLowerCase()}`;
const lower = (value: unknown) => String(value ?? "").toLowerCase();
const union = (lineages: Iterable<Lineage>): Lineage => {
  const out = new Set<string>();
  for (const lineage of lineages) for (const item of lineage) out.add(item);
  return out;
};

/** The output columns of `root` with their lineage, over the tables the query was bound to. */
export function outputLineage(root: Node, tables: CatalogTable[]): OutputColumn[] {
  const everything: Lineage = new Set(tables.flatMap((t) => t.columns.map((c) => columnKey(t.name, c.name))));
  const unknown: Relation = { columns: [{ name: "\u0000unknown", lineage: everything }] };
  const tableRelation = (name: string): Relation | undefined => {
    const table = tables.find((t) => t.name.toLowerCase() === name);
    return table && { columns: table.columns.map((c) => ({ name: c.name.toLowerCase(), lineage: new Set([columnKey(table.name, c.name)]) })) };
  };
  const renamed = (relation: Relation, aliases: unknown): Relation => {
    const names = Array.isArray(aliases) ? (aliases as string[]) : [];
    return { columns: relation.columns.map((c, i) => ({ name: lower(names[i] ?? c.name), lineage: c.lineage })) };
  };

  const queryOutput = (node: Node, ctes: Ctes, outer: Scope | null): Relation => {
    const local: Ctes = new Map(ctes);
    for (const entry of (node.cte_map as { map: { key: string; value: Node }[] }).map) {
      const query = (entry.value.query as { node: Node }).node;
      local.set(lower(entry.key), renamed(queryOutput(query, local, outer), entry.value.aliases));
    }
    if (node.type === "SET_OPERATION_NODE") {
      const left = queryOutput(node.left as Node, local, outer);
      const right = queryOutput(node.right as Node, local, outer);
      if (left.columns.length !== right.columns.length) return unknown;
      return { columns: left.columns.map((c, i) => ({ name: c.name, lineage: union([c.lineage, right.columns[i]!.lineage]) })) };
    }
    const scope: Scope = { entries: [], parent: outer };
    addFrom(node.from_table as Node, scope, local);
    const columns: OutputColumn[] = [];
    for (const item of node.select_list as Node[]) {
      if (item.class === "STAR") columns.push(...starColumns(item, scope));
      else columns.push({ name: lower(item.alias || (item.class === "COLUMN_REF" ? columnNames(item).at(-1) : "\u0000expression")), lineage: lineageOf(item, scope, local) });
    }
    return { columns };
  };

  const addFrom = (ref: Node, scope: Scope, ctes: Ctes): void => {
    const key = lower(ref.alias);
    switch (ref.type) {
      case "EMPTY":
        return;
      case "BASE_TABLE": {
        const name = lower(ref.table_name);
        scope.entries.push({ key: key || name, relation: renamed(ctes.get(name) ?? tableRelation(name) ?? unknown, ref.column_name_alias) });
        return;
      }
      case "JOIN":
        addFrom(ref.left as Node, scope, ctes);
        addFrom(ref.right as Node, scope, ctes);
        return;
      case "SUBQUERY": {
        // The current scope is visible inside, as DuckDB binds lateral references.
        const inner = queryOutput((ref.subquery as { node: Node }).node, ctes, scope);
        scope.entries.push({ key, relation: renamed(inner, ref.column_name_alias) });
        return;
      }
      case "EXPRESSION_LIST": {
        const rows = ref.values as Node[][];
        const width = Math.max(0, ...rows.map((r) => r.length));
        const names = (ref.expected_names as string[]) ?? [];
        const columns = Array.from({ length: width }, (_, i) => ({ name: lower(names[i] ?? `col${i}`), lineage: union(rows.map((r) => (r[i] ? lineageOf(r[i], scope, ctes) : new Set<string>()))) }));
        scope.entries.push({ key, relation: { columns } });
        return;
      }
      default:
        scope.entries.push({ key, relation: unknown });
    }
  };

  const starColumns = (star: Node, scope: Scope): OutputColumn[] => {
    const relation = lower(star.relation_name);
    const excluded = new Set((star.exclude_list as string[]).map(lower));
    const entries = scope.entries.filter((e) => !relation || e.key === relation);
    if (!entries.length) return unknown.columns;
    return entries.flatMap((e) => {
      // DuckDB makes the repeated names of a subquery's output unique (email, email_1, A_1)
      // before EXCLUDE reads them, so an excluded name takes out only one of its columns. Where
      // a relation's names repeat, nothing is taken out of it: too many columns, never too few.
      const names = e.relation.columns.map((c) => c.name);
      if (new Set(names).size !== names.length) return e.relation.columns;
      return e.relation.columns.filter((c) => !excluded.has(c.name));
    });
  };

  /** Every binding a column reference could have, at every level; none at all means "unknown". */
  const resolve = (ref: Node, scope: Scope): Lineage => {
    const names = columnNames(ref).map(lower);
    if (names.length > 2) return everything;
    const found: Lineage[] = [];
    for (let level: Scope | null = scope; level; level = level.parent) {
      for (const entry of level.entries) {
        for (const column of entry.relation.columns) {
          if (names.length === 2 ? (entry.key === names[0] && column.name === names[1]) || column.name === names[0] : column.name === names[0]) found.push(column.lineage);
          if (column.name === "\u0000unknown") found.push(column.lineage);
        }
        // A bare table name is the whole row, as a struct.
        if (names.length === 1 && entry.key === names[0]) found.push(...entry.relation.columns.map((c) => c.lineage));
      }
    }
    return found.length ? union(found) : everything;
  };

  const lineageOf = (expr: unknown, scope: Scope, ctes: Ctes): Lineage => {
    const found: Lineage[] = [];
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (!isNode(value)) return;
      if (value.class === "COLUMN_REF") return void found.push(resolve(value, scope));
      if (value.class === "STAR") return void found.push(...starColumns(value, scope).map((c) => c.lineage));
      if (value.class === "SUBQUERY") {
        found.push(...queryOutput((value.subquery as { node: Node }).node, ctes, scope).columns.map((c) => c.lineage));
        return visit(value.child);
      }
      if (value.class === "CONSTANT") return;
      Object.values(value).forEach(visit);
    };
    visit(expr);
    return union(found);
  };

  return queryOutput(root, new Map(), null).columns;
}
