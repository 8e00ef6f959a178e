import { DuckDBInstance, type DuckDBPreparedStatement } from "@duckdb/node-api";
import { checkTime } from "./limits";
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

interface Parser {
  parse: DuckDBPreparedStatement;
  deparse: DuckDBPreparedStatement;
}

// On globalThis, with the turn below: this module may be loaded more than once in one process
// (the console's bundles and the local cloud's), and every copy must share the statements and
// take turns at them.
const holder = globalThis as typeof globalThis & { __sqlParserStatements?: Promise<Parser>; __sqlParserTurn?: Promise<unknown> };

// Both statements prepared once: a call then only binds its text and runs (0.8 ms a call here,
// against 1.4 ms for planning the wrapping SELECT each time; a query's check makes several).
function parser(): Promise<Parser> {
  holder.__sqlParserStatements ??= (async () => {
    const instance = await DuckDBInstance.create(":memory:", { threads: "1", enable_external_access: "false" });
    const connection = await instance.connect();
    return {
      parse: await connection.prepare("SELECT json_serialize_sql($1::VARCHAR) AS tree"),
      deparse: await connection.prepare("SELECT json_deserialize_sql($1::JSON) AS sql"),
    };
  })();
  return holder.__sqlParserStatements;
}

// A prepared statement holds the value bound to it until it runs, so calls take turns (the one
// connection would run them one at a time anyway). The turn is the process's, not this copy's of
// the module: two copies each keeping their own would bind one call's text and run another's, and
// a check would get the tree of a different query (seen as a differentially private query that
// "does not bind" while the console priced it as its own check ran).
let calls = 0;

/** How many times this module copy has asked DuckDB to parse or render (for tests and the bench). */
export const parserCalls = () => calls;

async function call(statement: keyof Parser, text: string): Promise<string> {
  // A check whose time is up does no more work, not even the calls it has queued (limits.ts).
  checkTime();
  const statements = await parser();
  const result = (holder.__sqlParserTurn ?? Promise.resolve()).then(async () => {
    checkTime();
    calls++;
    statements[statement].bindVarchar(1, text);
    // One row of one column, read from the materialized result as it is: reading it through a
    // result reader costs two more trips through the thread pool.
    const result = await statements[statement].run();
    return String(result.getChunk(0).getColumnVector(0).getItem(0));
  });
  holder.__sqlParserTurn = result.catch(() => {});
  return result;
}

// The same texts are parsed again and again (the output constraints' HAVING clauses of a
// collaboration's rules, a query re-checked when it runs): DuckDB's answer for recent texts is
// kept, as text, and read into a new tree for each caller (callers change their trees).
const recent = new Map<string, string>();
const RECENT = 256;
const MAX_REMEMBERED_TEXT = 16 * 1024;

async function serialized(sql: string): Promise<string> {
  const known = recent.get(sql);
  if (known !== undefined) return known;
  const tree = await call("parse", sql);
  if (sql.length <= MAX_REMEMBERED_TEXT) {
    recent.set(sql, tree);
    if (recent.size > RECENT) recent.delete(recent.keys().next().value!);
  }
  return tree;
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
  const text = await serialized(sql);
  let tree: ParseTree;
  try {
    tree = parseJson(text, null, exactNumber) as ParseTree;
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
  return call("deparse", stringifyJson(tree)!);
}
