/**
 * A query the rules do not allow; the message names the table, column or construct and the rule.
 * `position` is where in the member's SQL the refused construct starts (a UTF-16 index, as
 * editors count), when the parse tree gives one.
 */
export class QueryRefusal extends Error {
  position?: number;
  /** DuckDB's query_location of the refused node: a byte offset into the UTF-8 SQL. */
  byteOffset?: number;
  constructor(message: string) {
    super(message);
    this.name = "QueryRefusal";
  }
}

export const refuse = (message: string): never => {
  throw new QueryRefusal(message);
};

/**
 * Runs a check of one node: a refusal from it that has no place yet gets the node's. Checks
 * recurse, so the innermost node that carries a location names the place.
 */
export function locate<T>(node: Record<string, unknown>, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof QueryRefusal && error.byteOffset === undefined) {
      // Nodes DuckDB made up have no location (UINT64_MAX, which the parser keeps as a LosslessNumber).
      const location = node.query_location;
      if (typeof location === "number") error.byteOffset = location;
    }
    throw error;
  }
}

/** A UTF-8 byte offset into `text` as a UTF-16 index. */
export function utf16Index(text: string, byteOffset: number): number {
  return Buffer.from(text, "utf8").subarray(0, byteOffset).toString("utf8").length;
}

/** A code point index into `text` (DuckDB's syntax error position) as a UTF-16 index. */
export function codePointIndex(text: string, codePoints: number): number {
  return [...text].slice(0, codePoints).join("").length;
}
