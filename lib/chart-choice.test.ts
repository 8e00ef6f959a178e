import { describe, expect, it } from "vitest";
import { chartData, chartOptions, chooseChart, columnKinds } from "./chart-choice";

// Results as the workbench receives them: text, from a CSV.
const byRegion = {
  columns: ["region", "customers", "revenue"],
  rows: [
    ["east", "120", "3400.5"],
    ["west", "80", "2100"],
    ["central", "95", "2800.25"],
  ],
};
const byAgeAndRegion = {
  columns: ["age_group", "region", "customers"],
  rows: [
    ["25-34", "east", "40"],
    ["25-34", "west", "30"],
    ["35-44", "east", "25"],
    ["35-44", "west", "50"],
  ],
};
const byDay = {
  columns: ["day", "orders"],
  rows: [
    ["2024-03-02", "7"],
    ["2024-03-01", "5"],
    ["2024-03-03", "9"],
  ],
};
const total = { columns: ["customers"], rows: [["312"]] };

const choose = (result: { columns: string[]; rows: string[][] }) => chooseChart(columnKinds(result.columns, result.rows), result.rows.length);

describe("column kinds", () => {
  it("are numbers, dates or text, from every non-empty value", () => {
    expect(
      columnKinds(
        ["a", "b", "c", "d"],
        [
          ["1.5", "2024-01-02", "x", ""],
          ["-3e2", "2024-01-03T10:00:00Z", "7", ""],
        ],
      ).map((c) => c.kind),
    ).toEqual(["number", "date", "text", "text"]);
    // Age groups look like ranges, not numbers.
    expect(columnKinds(["age_group"], [["25-34"]])[0]!.kind).toBe("text");
  });
});

describe("the chart chosen", () => {
  it("is bars for one dimension and its measures, measures of one scale together", () => {
    const sameScale = { columns: byRegion.columns, rows: byRegion.rows.map(([r, c, v]) => [r!, c!, String(Number(v) / 10)]) };
    expect(choose(sameScale)).toEqual({ type: "bar", x: "region", measures: ["customers", "revenue"] });
    // Revenue in the thousands would flatten customers in the hundreds: each gets its own bars first.
    expect(choose(byRegion)).toEqual({ type: "bar", x: "region", measures: ["customers"] });
    expect(chartOptions(columnKinds(byRegion.columns, byRegion.rows), 3)).toEqual([
      { type: "bar", x: "region", measures: ["customers"] },
      { type: "bar", x: "region", measures: ["revenue"] },
      { type: "bar", x: "region", measures: ["customers", "revenue"] },
      { type: "table" },
    ]);
  });

  it("is grouped bars for two dimensions", () => {
    expect(choose(byAgeAndRegion)).toEqual({ type: "groupedBar", x: "age_group", series: "region", measure: "customers" });
  });

  it("is a line over a date or time dimension", () => {
    expect(choose(byDay)).toEqual({ type: "line", x: "day", measures: ["orders"] });
  });

  it("is a single number for a one-row result, and a table when nothing is measured or nothing returned", () => {
    expect(choose(total)).toEqual({ type: "number", measure: "customers" });
    expect(choose({ columns: ["region"], rows: [["east"], ["west"]] })).toEqual({ type: "table" });
    expect(choose({ columns: ["region", "n"], rows: [] })).toEqual({ type: "table" });
  });

  it("offers the alternatives the shape allows, for the picker", () => {
    const kinds = columnKinds(byAgeAndRegion.columns, byAgeAndRegion.rows);
    expect(chartOptions(kinds, 4).map((o) => o.type)).toEqual(["bar", "bar", "groupedBar", "table"]);
    expect(chartOptions(columnKinds(byDay.columns, byDay.rows), 3).map((o) => o.type)).toEqual(["line", "table"]);
  });
});

describe("chart data", () => {
  it("orders bars by the first measure and keeps the largest groups, saying how many there were", () => {
    const many = Array.from({ length: 100 }, (_, i) => [`g${i}`, String(i)]);
    const data = chartData({ type: "bar", x: "g", measures: ["n"] }, ["g", "n"], many, 30);
    expect([data.shown, data.total, data.points[0], data.points.at(-1)]).toEqual([30, 100, { g: "g99", n: 99 }, { g: "g70", n: 70 }]);
  });

  it("keeps the result's own order when every group fits", () => {
    const data = chartData({ type: "bar", x: "region", measures: ["customers"] }, byRegion.columns, byRegion.rows, 30);
    expect(data.points.map((p) => p.region)).toEqual(["east", "west", "central"]);
  });

  it("pivots grouped bars into one point per group with a key per series", () => {
    const data = chartData({ type: "groupedBar", x: "age_group", series: "region", measure: "customers" }, byAgeAndRegion.columns, byAgeAndRegion.rows);
    expect(data.keys).toEqual(["west", "east"]);
    expect(data.points).toEqual([
      { age_group: "35-44", east: 25, west: 50 },
      { age_group: "25-34", east: 40, west: 30 },
    ]);
  });

  it("keeps a line in date order, every point", () => {
    const data = chartData({ type: "line", x: "day", measures: ["orders"] }, byDay.columns, byDay.rows);
    expect(data.points.map((p) => p.day)).toEqual(["2024-03-01", "2024-03-02", "2024-03-03"]);
    expect([data.shown, data.total]).toEqual([3, 3]);
  });
});
