import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { isInteger, isSafeNumber, LosslessNumber, parse as parseJson, stringify as stringifyJson } from "lossless-json";

// Parsing with DuckDB's own parser: an in-memory database with no data, shared by the process.
// It only ever runs json_serialize_sql over a bound string.
//
// The tree is read and written with lossless-json: DuckDB writes 64- and 128-bit integers (large
// literals, "no location" as UINT64_MAX) as plain JSON numbers, which JSON.parse would round,
// silently changing the query that runs, and it reads a double back only if it is written as one
// ("50.0", not "50"). So only small integers become JS numbers; every other number keeps its text
// (a LosslessNumber) and is written back exactly as DuckDB wrote it.

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

const exactNumber = (text: string): number | LosslessNumber => (isInteger(text) && isSafeNumber(text) ? Number(text) : new LosslessNumber(text));

export class SqlSyntaxError extends Error {
  /** Where DuckDB's parser stopped, in code points, when it says. */
  constructor(
    message: string,
    readonly codePoint?: number,
  ) {
    super(message);
  }
}

/** DuckDB's parse tree of `sql`; a syntax error becomes a SqlSyntaxError with DuckDB's words. */
export async function parseSql(sql: string): Promise<ParseTree> {
  const connection = await parser();
  const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR) AS tree", [sql]);
  let tree: ParseTree;
  try {
    tree = parseJson(String(reader.getRowObjectsJS()[0]!.tree), null, exactNumber) as ParseTree;
  } catch {
    // DuckDB writes some constants (an infinite double, say) as text that is not JSON.
    throw new SqlSyntaxError("it holds a constant that cannot be represented exactly (such as a number too large for a double)");
  }
  if (tree.error) {
    const position = Number((tree as { position?: unknown }).position);
    throw new SqlSyntaxError(tree.error_message ?? "The SQL could not be parsed.", Number.isSafeInteger(position) ? position : undefined);
  }
  return tree;
}

/** SQL text for a (possibly rewritten) parse tree, by DuckDB's own serializer. */
export async function deparseSql(tree: ParseTree): Promise<string> {
  const connection = await parser();
  const reader = await connection.runAndReadAll("SELECT json_deserialize_sql($1::JSON) AS sql", [stringifyJson(tree)!]);
  return String(reader.getRowObjectsJS()[0]!.sql);
}
