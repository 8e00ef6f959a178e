import { describe, expect, it } from "vitest";
import { underlineRange } from "./sql-underline";

describe("underlineRange", () => {
  const sql = `SELECT c.region, "Odd name", 'text' , SUM(amount) FROM t`;
  it.each([
    ["a dotted name", sql.indexOf("c.region"), "c.region"],
    ["a quoted identifier", sql.indexOf('"Odd'), '"Odd name"'],
    ["a string", sql.indexOf("'text'"), "'text'"],
    ["a function's name", sql.indexOf("SUM"), "SUM"],
    ["a lone symbol", sql.indexOf(","), ","],
  ])("covers %s", (_what, position, covered) => {
    const range = underlineRange(sql, position)!;
    expect(sql.slice(range.from, range.to)).toBe(covered);
  });

  it("covers one character on white space, and nothing outside the text", () => {
    expect(underlineRange("a  b", 1)).toEqual({ from: 1, to: 2 });
    expect(underlineRange("abc", 3)).toBeNull();
    expect(underlineRange("abc", -1)).toBeNull();
  });
});
