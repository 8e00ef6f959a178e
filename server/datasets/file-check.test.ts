import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DuckDBInstance } from "@duckdb/node-api";
import { beforeAll, describe, expect, it } from "vitest";
import { formatBytes } from "@/lib/format";
import fc from "fast-check";
import { CsvRows } from "./csv";
import { datasetCheck, formatOf, type DatasetFormat } from "./file-check";

// Files pass through the check in chunks, as an upload arrives; each kind of bad file is refused
// with a message that says what is wrong.
async function check(format: DatasetFormat, chunks: (string | Buffer)[], maxBytes = 1 << 20) {
  const checker = datasetCheck(format, maxBytes);
  let passed = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      passed += chunk.length;
      done();
    },
  });
  try {
    await pipeline(Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))), checker, sink);
    return { ok: true as const, passed, ...checker.summary() };
  } catch (error) {
    return { ok: false as const, message: (error as Error).message };
  }
}

describe("CSV", () => {
  it("passes a well-formed file through unchanged, whatever the chunking, with quotes, CRLF and a BOM", async () => {
    const text = '\uFEFFid,name,"note, with comma"\r\n1,"Ann ""A""",x\r\n2,"multi\nline",café\r\n';
    for (const size of [1, 3, 7, text.length]) {
      const bytes = Buffer.from(text);
      const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
      expect(await check("csv", chunks)).toEqual({ ok: true, passed: bytes.length, bytes: bytes.length, rows: 2, columns: ["id", "name", "note, with comma"] });
    }
  });

  it("reads a last row without a newline", async () => {
    expect(await check("csv", ["a,b\n1,2"])).toMatchObject({ ok: true, rows: 1 });
  });

  it.each([
    ["an empty file", [""], "The file is empty."],
    ["a header alone", ["a,b\n"], "The file has a header but no rows of data."],
    ["no header row", ["1,2,3\n4,5,6\n"], "The first row holds values, not column names. Add a header row naming each column."],
    ["a ragged row", ["a,b\n1,2\n3\n"], "Row 3 has 1 field where the header has 2. Every row needs one value per column."],
    ["a duplicate column name", ["id,Name,name\n1,2,3\n"], 'The header names "name" twice (columns 2 and 3). Column names must be distinct.'],
    ["a blank column name", ["id,,x\n1,2,3\n"], "Column 2 of the header row has no name. Every column needs a name in the first row."],
    ["text that is not UTF-8", [Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xe9, 0x2c, 0x31, 0x0a])], "The file is not UTF-8 text. Save it as CSV UTF-8 and upload it again."],
    ["an unclosed quote", ['a,b\n1,"2\n'], 'The file ends inside a quoted field: a closing quote (") is missing.'],
  ])("refuses %s", async (_what, chunks, message) => {
    expect(await check("csv", chunks)).toEqual({ ok: false, message });
  });

  it("refuses a file over the size limit as soon as it passes it", async () => {
    const result = await check("csv", ["a,b\n", "1,2\n".repeat(300)], 1000);
    expect(result).toEqual({ ok: false, message: "The file is larger than the 1000 bytes a dataset may hold." });
  });
});

describe("Parquet", () => {
  // A real file, written by DuckDB: a few row groups, so that it has a middle to lose.
  let parquet: Buffer;
  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "file-check-"));
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    await connection.run(`COPY (SELECT range AS customer_id, 'region-' || (range % 7) AS region FROM range(20000)) TO '${dir}/t.parquet' (FORMAT parquet, ROW_GROUP_SIZE 5000)`);
    connection.closeSync();
    instance.closeSync();
    parquet = fs.readFileSync(path.join(dir, "t.parquet"));
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const inChunks = (file: Buffer, size = 4096) => Array.from({ length: Math.ceil(file.length / size) }, (_, i) => file.subarray(i * size, (i + 1) * size));

  it("passes a whole file, however it is cut into chunks", async () => {
    for (const size of [1, 7, 4096, parquet.length]) expect(await check("parquet", inChunks(parquet, size))).toMatchObject({ ok: true, bytes: parquet.length });
  });

  it("refuses a file that is not Parquet, or one cut short, cut in its middle or with a broken footer", async () => {
    expect(await check("parquet", ["a,b\n1,2\n"])).toMatchObject({ ok: false, message: expect.stringContaining("not a Parquet file") });
    // Markers alone are not a file.
    expect(await check("parquet", ["PAR1", Buffer.alloc(100), "PA", "R1"])).toMatchObject({ ok: false, message: expect.stringContaining("damaged or incomplete") });
    const half = Math.floor(parquet.length / 2);
    const damaged = [
      parquet.subarray(0, half), // the upload stopped halfway
      parquet.subarray(0, parquet.length - 1), // one byte short
      Buffer.concat([parquet.subarray(0, 4), parquet.subarray(parquet.length - 2000)]), // the middle lost, both ends kept
      Buffer.concat([parquet.subarray(0, half), parquet.subarray(half + 100)]), // a hole inside the footer's reach
      Buffer.concat([parquet.subarray(0, parquet.length - 8), Buffer.from([0xff, 0xff, 0xff, 0x7f]), Buffer.from("PAR1")]), // a footer longer than the file
    ];
    for (const [i, file] of damaged.entries()) {
      expect([i, (await check("parquet", inChunks(file))).ok]).toEqual([i, false]);
    }
  });
});

describe("formatOf", () => {
  it("knows CSV and Parquet by extension and refuses anything else", () => {
    expect([formatOf("Customers.CSV"), formatOf("x.parquet")]).toEqual(["csv", "parquet"]);
    expect(() => formatOf("data.xlsx")).toThrow('"data.xlsx" is not a CSV or Parquet file');
  });

  it("formats sizes", () => {
    expect([formatBytes(512), formatBytes(1536), formatBytes(5 * 1024 ** 3)]).toEqual(["512 bytes", "1.5 KB", "5.0 GB"]);
  });
});

describe("the CSV splitter", () => {
  it("reads back any table written with RFC 4180 quoting, however its bytes are cut into chunks", () => {
    const field = fc.string({ unit: fc.constantFrom("a", "b", " ", ",", '"', "\n", "\r", "é", "x") });
    const quote = (value: string) => (/[",\r\n]/.test(value) || value === "" ? `"${value.replace(/"/g, '""')}"` : value);
    fc.assert(
      fc.property(fc.array(fc.array(field, { minLength: 2, maxLength: 4 }), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (rows, cuts, crlf) => {
        // Cut anywhere in the bytes, even inside a two-byte character.
        const text = Buffer.from(rows.map((row) => row.map(quote).join(",")).join(crlf ? "\r\n" : "\n") + (crlf ? "\r\n" : "\n"));
        const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
        const read: string[][] = [];
        const splitter = new CsvRows((fields) => read.push(fields));
        let from = 0;
        for (const point of [...points, text.length]) {
          splitter.push(text.subarray(from, point));
          from = point;
        }
        splitter.end();
        expect(read).toEqual(rows);
      }),
      { numRuns: 300 },
    );
  });
});
