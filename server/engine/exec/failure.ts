// What a member is told when a protected query fails while running, and what the log keeps.
// DuckDB's own words carry values ("Could not convert string 'jane@x.com' to INT32", "Overflow in
// addition of INT128 (170141183460469231731687303715884105727 + 1)"), and those values may come
// from rows the member may not see. So the member gets a fixed sentence per kind of failure and
// stage, chosen from DuckDB's error type only; the log gets DuckDB's text with literals removed.

// The result file is written by the query's own statement (COPY), so writing it is running it.
export type SandboxStage = "reading the data" | "running the query";

/** A failure inside the sandbox, at a known stage; `cause` never reaches the member. */
export class SandboxFailure extends Error {
  constructor(
    readonly stage: SandboxStage,
    readonly cause: unknown,
  ) {
    super(`The query failed while ${stage}.`);
    this.name = "SandboxFailure";
  }
}

// DuckDB's error types (the words before the first colon, spelled exactly as DuckDB spells them,
// e.g. "Conversion Error"), as data-free sentences. "Not implemented Error" is the type DuckDB
// raises for SQL it parses but has no code for (list_sort with an unknown order, say, quoting it):
// a refusal by DuckDB, not a gap of ours; sandbox.test.ts raises it through a real sandbox.
const kinds: Record<string, string> = {
  "Conversion Error": "a value could not be converted to the requested type",
  "Out of Range Error": "a number went out of the range of its type",
  "Invalid Input Error": "a function was given input it does not accept",
  "Binder Error": "the query names a column, table or function that cannot be used here",
  "Catalog Error": "the query names a table or function that does not exist",
  "Out of Memory Error": "the query needed more memory than a protected query may use",
  "Permission Error": "the query tried to reach something outside its tables",
  "Not implemented Error": "the query uses something DuckDB cannot run",
  "IO Error": "a data file could not be read",
};

function kindOf(cause: unknown): string | undefined {
  const message = cause instanceof Error ? cause.message : String(cause ?? "");
  return kinds[message.split(":")[0]!.trim()];
}

/** The fixed, data-free sentence a member sees for a failure. */
export function publicFailureMessage(failure: SandboxFailure): string {
  const kind = kindOf(failure.cause);
  return `The query failed while ${failure.stage}${kind ? `: ${kind}` : ""}. Messages of failed queries never include values from the data.`;
}

/** DuckDB's text for the log, with quoted text, numbers and the given paths taken out. */
export function redactedForLog(cause: unknown, paths: string[] = []): string {
  let text = cause instanceof Error ? cause.message : String(cause ?? "");
  for (const p of paths) if (p) text = text.replaceAll(p, "<storage>");
  return (
    text
      .replace(/'(?:[^']|'')*'/g, "'…'")
      // Double quotes hold identifiers, but also values (strptime: Could not parse string "…").
      .replace(/"(?:[^"]|"")*"/g, '"…"')
      .replace(/(?<![\w.])[-+]?\d[\d_.]*(?:e[-+]?\d+)?/gi, "#")
      .slice(0, 2000)
  );
}
