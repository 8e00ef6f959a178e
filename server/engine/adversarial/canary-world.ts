import fs from "node:fs";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import type { SandboxTable } from "../exec/sandbox";
import { duckdbType, type CatalogTable, type QueryCatalog, type TableRule } from "../sql/catalog";

// A small collaboration whose protected values are canaries: every value of a disallowed output
// column, of a column no rule allows, and every dimension value and amount of a group below its
// minimum holds a marker that appears nowhere else (not in table or column names, and never in
// a generated query). The rows are made here in plain JavaScript, so what must never leave is
// known independently of the engine under test.

export const ATTACKER = "111111111111";
export const VICTIM = "222222222222";

/** Substrings that must never appear in anything a member receives. */
export const canaryMarkers = ["cnry", "yrnc", "86421.125"];

export function containsCanary(text: string): string | undefined {
  const lower = text.toLowerCase();
  return canaryMarkers.find((marker) => lower.includes(marker));
}

const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => i + from);

type Row = Record<string, string | number>;
interface WorldTable {
  catalog: CatalogTable;
  rows: Row[];
  /** Columns in the data files beyond the allowed ones: no view may show them. */
  hidden: string[];
}

const customRule = (disallowed: string[]): TableRule => ({
  type: "CUSTOM" as const,
  policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [ATTACKER], disallowedOutputColumns: disallowed },
});
const aggregationRule = (minimum: number, dimension: string, aggregates: { columnNames: string[]; function: "SUM" | "AVG" | "COUNT_DISTINCT" }[]): TableRule => ({
  type: "AGGREGATION" as const,
  policy: {
    aggregateColumns: aggregates,
    joinColumns: ["customer_id"],
    dimensionColumns: [dimension],
    scalarFunctions: ["CAST", "ROUND", "LOWER", "UPPER", "COALESCE", "ABS", "SUBSTRING", "TRUNC"],
    outputConstraints: [{ columnName: "customer_id", minimum, type: "COUNT_DISTINCT" as const }],
  },
});

export const worldTables: WorldTable[] = [
  {
    catalog: {
      name: "people",
      ownerAccountId: VICTIM,
      columns: [
        { name: "id", type: "bigint" },
        { name: "region", type: "string" },
        { name: "email", type: "string" },
        { name: "score", type: "double" },
      ],
      rule: customRule(["email"]),
    },
    rows: range(40).map((i) => ({ id: i, region: ["east", "west", "north"][i % 3]!, email: `cnry-mail-${i}@victim.example`, score: i * 1.5, ssn: `cnry-ssn-${i}` })),
    hidden: ["ssn"],
  },
  {
    catalog: {
      name: "visits",
      ownerAccountId: ATTACKER,
      columns: [
        { name: "id", type: "bigint" },
        { name: "channel", type: "string" },
        { name: "note", type: "string" },
      ],
      rule: customRule(["note"]),
    },
    rows: range(40).map((i) => ({ id: (i % 20) + 1, channel: ["web", "app"][i % 2]!, note: `cnry-note-${i}` })),
    hidden: [],
  },
  {
    catalog: {
      name: "purchases",
      ownerAccountId: VICTIM,
      columns: [
        { name: "customer_id", type: "bigint" },
        { name: "segment", type: "string" },
        { name: "amount", type: "double" },
      ],
      rule: aggregationRule(3, "segment", [
        { columnNames: ["amount"], function: "SUM" },
        { columnNames: ["amount"], function: "AVG" },
        { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
      ]),
    },
    // Three common segments of ten customers, and three customers alone in a segment each. Only
    // one of those carries markers, so that no coarser grouping (a prefix, a case change) can put
    // the marker in a group of more than that one customer.
    rows: [
      ...range(30).map((i) => ({ customer_id: i, segment: ["gold", "silver", "bronze"][i % 3]!, amount: 10 + i, secret: `cnry-secret-${i}` })),
      ...range(3, 0).map((k) => ({ customer_id: 100 + k, segment: k === 1 ? "cnry-seg-101" : `lonely-${k}`, amount: k === 1 ? 86421.125 : 40 + k, secret: `cnry-secret-v${k}` })),
    ],
    hidden: ["secret"],
  },
  {
    catalog: {
      name: "a_ids",
      ownerAccountId: ATTACKER,
      columns: [
        { name: "customer_id", type: "bigint" },
        { name: "grp", type: "string" },
      ],
      rule: aggregationRule(2, "grp", [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }]),
    },
    // Thirty copies of one victim's id on the attacker's own side.
    rows: [...range(33).map((i) => ({ customer_id: i <= 30 ? i : 100 + (i - 31), grp: ["p", "q"][i % 2]! })), ...range(30).map(() => ({ customer_id: 101, grp: "p" }))],
    hidden: [],
  },
  {
    catalog: {
      name: "a_strs",
      ownerAccountId: ATTACKER,
      columns: [
        { name: "customer_id", type: "string" },
        { name: "grp", type: "string" },
      ],
      rule: aggregationRule(2, "grp", [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }]),
    },
    // Thirty spellings of one victim's id, each distinct as a string.
    rows: [...range(30).map((i) => ({ customer_id: `${"0".repeat(i - 1)}101`, grp: "p" })), ...range(10).map((i) => ({ customer_id: String(i), grp: "q" }))],
    hidden: [],
  },
];

export const worldCatalog: QueryCatalog = { tables: worldTables.map((t) => t.catalog), runnerAccountId: ATTACKER };

/** Writes every table as Parquet under `dir` (hidden columns included) and returns sandbox tables. */
export async function writeWorld(dir: string): Promise<Map<string, SandboxTable>> {
  const instance = await DuckDBInstance.create(":memory:");
  const connection = await instance.connect();
  const out = new Map<string, SandboxTable>();
  try {
    for (const table of worldTables) {
      const columns = [...table.catalog.columns.map((c) => ({ name: c.name, type: duckdbType(c.type) })), ...table.hidden.map((name) => ({ name, type: "VARCHAR" }))];
      const json = path.join(dir, `${table.catalog.name}.json`);
      fs.writeFileSync(json, table.rows.map((row) => JSON.stringify(row)).join("\n"));
      const file = path.join(dir, `${table.catalog.name}.parquet`);
      const struct = columns.map((c) => `'${c.name}': '${c.type}'`).join(", ");
      await connection.run(`COPY (SELECT * FROM read_json('${json}', format = 'newline_delimited', columns = {${struct}})) TO '${file}' (FORMAT parquet)`);
      fs.rmSync(json);
      out.set(table.catalog.name, { name: table.catalog.name, format: "parquet", files: [file], columns: table.catalog.columns.map((c) => ({ name: c.name, duckdbType: duckdbType(c.type) })) });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return out;
}
