// Cells of the CSV files the console offers for download (results, the query log). A value that
// a spreadsheet would read as a formula (=, +, -, @, tab or carriage return first) is prefixed
// with an apostrophe, as OWASP advises against CSV injection: a partner's value such as
// =HYPERLINK(…) or -2+3 must not run when an analyst opens the file. Plain numbers (-12.5, +3,
// -1e6) are left alone, so numeric columns stay numeric. The raw values stay reachable (the
// result's JSON, and its CSV with raw=1).

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The text a spreadsheet will not evaluate: an apostrophe before anything that looks like a formula. */
export function neutralisedCell(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** One CSV cell: quoted when it holds a comma, quote or line break; neutralised unless `raw`. */
export function csvCell(value: unknown, { raw = false } = {}): string {
  const text = value instanceof Date ? value.toISOString() : value === null || value === undefined ? "" : String(value);
  const safe = raw ? text : neutralisedCell(text);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** A CSV line (with its newline). */
export const csvLine = (values: unknown[], options?: { raw?: boolean }) => values.map((v) => csvCell(v, options)).join(",") + "\n";
