import { expect, it } from "vitest";
import { publicFailureMessage, redactedForLog, SandboxFailure } from "./failure";

const duckdb = [
  "Conversion Error: Could not convert string 'jane@victim.example' to INT32",
  "Out of Range Error: Overflow in addition of INT128 (170141183460469231731687303715884105727 + 1)!",
  'Invalid Input Error: Could not parse string "cnry-17" according to format specifier "%Y"',
  'Binder Error: Referenced column "emial" not found in FROM clause! Candidate bindings: "email"',
];

it("tells the member the kind of failure and its stage, in fixed words with no value", () => {
  for (const text of duckdb) {
    const message = publicFailureMessage(new SandboxFailure("running the query", new Error(text)));
    expect(message).toMatch(/^The query failed while running the query(: [a-z ,]+)?\. Messages of failed queries never include values from the data\.$/);
    expect(message).not.toMatch(/jane|1701411|cnry|emial/);
  }
  expect(publicFailureMessage(new SandboxFailure("reading the data", new Error("something new")))).toBe(
    "The query failed while reading the data. Messages of failed queries never include values from the data.",
  );
});

it("keeps DuckDB's words for the log, without literals or paths", () => {
  expect(redactedForLog(new Error(duckdb[0]))).toBe("Conversion Error: Could not convert string '…' to INT32");
  expect(redactedForLog(new Error(duckdb[1]))).toBe("Out of Range Error: Overflow in addition of INT128 (# + #)!");
  expect(redactedForLog(new Error(duckdb[2]))).toBe('Invalid Input Error: Could not parse string "…" according to format specifier "…"');
  expect(redactedForLog(new Error("IO Error: cannot open /data/dir/blobs/x.parquet"), ["/data/dir"])).toBe("IO Error: cannot open <storage>/blobs/x.parquet");
});
