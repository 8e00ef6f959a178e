import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";

// Parsing with DuckDB's own parser: an in-memory database with no data, shared by the process.
// It only ever runs json_serialize_sql over a bound string.

export interface ParseTree {
  error: boolean;
  error_message?: string;
  statements: { node: Record<string, unknown> }[];
}

const holder = globalThis as typeof globalThis & { __sqlParser?: Promise<DuckDBConnection> };

function parser(): Promise<DuckDBConnection> {
  holder.__sqlParser ??= (async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1", enable_external_access: "false" });
    return instance.connect();
  })();
  return holder.__sqlParser;
}

export class SqlSyntaxError extends Error {}

/** DuckDB's parse tree of `sql`; a syntax error becomes a SqlSyntaxError with DuckDB's words. */
export async function parseSql(sql: string): Promise<ParseTree> {
  const connection = await parser();
  const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR) AS tree", [sql]);
  // "No location" is UINT64_MAX, which a JS number cannot carry back to DuckDB; it means nothing here.
  const text = String(reader.getRowObjectsJS()[0]!.tree).replace(/"query_location":18446744073709551615/g, '"query_location":0');
  const tree = JSON.parse(text) as ParseTree;
  if (tree.error) throw new SqlSyntaxError(tree.error_message ?? "The SQL could not be parsed.");
  return tree;
}

/** Every table the statements read (by name), leaving out the names of their own CTEs. */
export function referencedTables(tree: ParseTree): string[] {
  const tables = new Set<string>();
  const ctes = new Set<string>();
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== "object") return;
    const node = value as Record<string, unknown>;
    if (node.type === "BASE_TABLE" && typeof node.table_name === "string") tables.add(node.table_name);
    const cteMap = node.cte_map as { map?: { key: string }[] } | undefined;
    for (const entry of cteMap?.map ?? []) ctes.add(entry.key);
    Object.values(node).forEach(visit);
  };
  tree.statements.forEach((s) => visit(s.node));
  return [...tables].filter((t) => !ctes.has(t)).sort();
}

/** SQL text for a (possibly rewritten) parse tree, by DuckDB's own serializer. */
export async function deparseSql(tree: ParseTree): Promise<string> {
  const connection = await parser();
  const reader = await connection.runAndReadAll("SELECT json_deserialize_sql($1::JSON) AS sql", [JSON.stringify(tree)]);
  return String(reader.getRowObjectsJS()[0]!.sql);
}
