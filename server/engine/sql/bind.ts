import { findTable, type CatalogTable, type QueryCatalog } from "./catalog";
import type { ParseTree } from "./parse";
import { locate, refuse } from "./refusal";
import { isNode, tableRefs, type Node } from "./tree";

// Binding: which of the collaboration's tables a query reads, decided once. The validator checks
// exactly these tables' rules and the sandbox creates views of exactly these tables, so the two
// can never disagree about what a name means. SQL names are case-insensitive, and a WITH clause
// may not reuse a table's name (or another WITH name): a name is a CTE or a table, never both.

interface Names {
  tables: Set<string>;
  ctes: string[];
}

function namesIn(root: unknown): Names {
  const names: Names = { tables: new Set(), ctes: [] };
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isNode(value)) return;
    if (value.type === "BASE_TABLE" && !value.class && typeof value.table_name === "string") names.tables.add(value.table_name.toLowerCase());
    const cteMap = value.cte_map as { map?: { key: string }[] } | undefined;
    for (const entry of cteMap?.map ?? []) names.ctes.push(String(entry.key).toLowerCase());
    Object.values(value).forEach(visit);
  };
  visit(root);
  return names;
}

/** Names of the tables the statements read (lower case), leaving out their own CTEs' names. */
export function referencedTables(tree: ParseTree): string[] {
  const { tables, ctes } = namesIn(tree.statements.map((s) => s.node));
  return [...tables].filter((t) => !ctes.includes(t)).sort();
}

/** The catalog tables a query reads, each bound once; refuses unknown, ambiguous and shadowed names. */
export function bindTables(root: Node, catalog: QueryCatalog): CatalogTable[] {
  const { tables, ctes } = namesIn(root);
  const seen = new Set<string>();
  for (const cte of ctes) {
    if (seen.has(cte)) refuse(`The name "${cte}" is given to two WITH queries; give each its own name.`);
    seen.add(cte);
    if (findTable(catalog, cte)) refuse(`The WITH query "${cte}" has the name of a table of this collaboration; give it another name.`);
  }
  const bound: CatalogTable[] = [];
  for (const name of [...tables].sort()) {
    if (seen.has(name)) continue;
    const ref = tableRefs(root).find((r) => r.type === "BASE_TABLE" && String(r.table_name).toLowerCase() === name);
    const table = locate(ref ?? {}, () => findTable(catalog, name) ?? refuse(`Table "${name}" is not a table of this collaboration.`));
    if (!bound.includes(table)) bound.push(table);
  }
  return bound;
}
