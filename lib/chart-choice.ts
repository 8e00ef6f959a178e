// Which chart shows a query result best, decided from the result's shape alone: the workbench
// draws what this returns and offers the alternatives in a picker. Results arrive as text (CSV),
// so each column's kind is inferred from its values first.

export type ColumnKind = "number" | "date" | "text";

export type ChartSpec =
  | { type: "number"; measure: string }
  | { type: "bar"; x: string; measures: string[] }
  | { type: "groupedBar"; x: string; series: string; measure: string }
  | { type: "line"; x: string; measures: string[] }
  | { type: "table" };

export interface ResultColumn {
  name: string;
  kind: ColumnKind;
  /** For a number column: the largest absolute value, to keep measures of one scale together. */
  magnitude?: number;
}

const numeric = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const temporal = /^\d{4}-\d{2}(-\d{2})?([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/** A column is a number or a date when every non-empty value is one; otherwise text. */
export function columnKinds(names: string[], rows: string[][]): ResultColumn[] {
  return names.map((name, i) => {
    const values = rows.map((row) => row[i] ?? "").filter((v) => v !== "");
    if (values.length && values.every((v) => numeric.test(v.trim()))) return { name, kind: "number", magnitude: Math.max(...values.map((v) => Math.abs(Number(v)))) };
    if (values.length && values.every((v) => temporal.test(v.trim()))) return { name, kind: "date" };
    return { name, kind: "text" };
  });
}

/**
 * Measures that can share an axis: a count in the thousands drawn beside an average near 100
 * would flatten the average to nothing, so measures whose largest values differ more than
 * tenfold go in separate groups (in column order), and all of them together come last.
 */
export function scaleGroups(columns: ResultColumn[]): string[][] {
  const measures = columns.filter((c) => c.kind === "number");
  const groups: ResultColumn[][] = [];
  for (const measure of measures) {
    const size = measure.magnitude ?? 0;
    const group = groups.find((g) => {
      const sizes = [...g, measure].map((m) => m.magnitude ?? 0);
      return Math.max(...sizes) <= 10 * Math.max(Math.min(...sizes), Number.MIN_VALUE) || size === 0;
    });
    if (group) group.push(measure);
    else groups.push([measure]);
  }
  const names = groups.map((g) => g.map((m) => m.name));
  return names.length > 1 ? [...names, measures.map((m) => m.name)] : names;
}

/** Every chart the result's shape allows, the best first; a table alone when nothing is measured. */
export function chartOptions(columns: ResultColumn[], rowCount: number): ChartSpec[] {
  const measures = columns.filter((c) => c.kind === "number").map((c) => c.name);
  const dates = columns.filter((c) => c.kind === "date").map((c) => c.name);
  const texts = columns.filter((c) => c.kind === "text").map((c) => c.name);
  if (!measures.length || rowCount === 0) return [{ type: "table" }];
  const groups = scaleGroups(columns);
  const options: ChartSpec[] = [];
  if (rowCount === 1) options.push({ type: "number", measure: measures[0]! });
  for (const x of dates) for (const group of groups) options.push({ type: "line", x, measures: group });
  const dimensions = [...texts, ...dates];
  for (const x of texts) for (const group of groups) options.push({ type: "bar", x, measures: group });
  if (texts.length >= 2) options.push({ type: "groupedBar", x: texts[0]!, series: texts[1]!, measure: measures[0]! });
  else if (texts.length === 1 && dates.length) options.push({ type: "groupedBar", x: dates[0]!, series: texts[0]!, measure: measures[0]! });
  // With no dimension at all, each row is a bar of its own, labelled by a measure-less index.
  if (!dimensions.length && rowCount > 1) for (const group of groups) options.push({ type: "bar", x: "", measures: group });
  options.push({ type: "table" });
  return options;
}

/**
 * The chart drawn first: a single number for a one-row result, a line over a date or time, grouped
 * bars for two dimensions, bars for one.
 */
export function chooseChart(columns: ResultColumn[], rowCount: number): ChartSpec {
  const options = chartOptions(columns, rowCount);
  if (rowCount === 1) return options[0]!;
  const texts = columns.filter((c) => c.kind === "text").length;
  return options.find((o) => o.type === "line") ?? (texts >= 2 ? options.find((o) => o.type === "groupedBar") : undefined) ?? options[0]!;
}

export interface ChartData {
  /** One point per x value, measures (or series) as numbers. */
  points: Record<string, string | number>[];
  /** The series names of a grouped bar chart, or the measures otherwise. */
  keys: string[];
  /** Whether only the largest groups are shown, and of how many. */
  shown: number;
  total: number;
}

/** The points a chart draws; bars keep the largest `maxGroups` groups (and say so), lines keep order. */
export function chartData(spec: ChartSpec, columns: string[], rows: string[][], maxGroups = 30): ChartData {
  const at = (name: string) => columns.indexOf(name);
  const num = (value: string | undefined) => Number(value ?? "") || 0;
  if (spec.type === "table" || spec.type === "number") return { points: [], keys: [], shown: 0, total: 0 };
  if (spec.type === "groupedBar") {
    const [x, series, measure] = [at(spec.x), at(spec.series), at(spec.measure)];
    const byX = new Map<string, Map<string, number>>();
    const seriesTotal = new Map<string, number>();
    for (const row of rows) {
      const key = row[x] ?? "";
      const name = row[series] ?? "";
      const value = num(row[measure]);
      const group = byX.get(key) ?? new Map<string, number>();
      group.set(name, (group.get(name) ?? 0) + value);
      byX.set(key, group);
      seriesTotal.set(name, (seriesTotal.get(name) ?? 0) + value);
    }
    const keys = [...seriesTotal.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .map(([name]) => name);
    const total = (group: Map<string, number>) => [...group.values()].reduce((a, b) => a + b, 0);
    let groups = [...byX.entries()];
    const dated = columns.length > 0 && spec.x !== "" && rows.every((row) => temporal.test((row[x] ?? "").trim()));
    groups = dated ? groups.sort(([a], [b]) => a.localeCompare(b)) : groups.sort((a, b) => total(b[1]) - total(a[1]));
    const kept = dated ? groups : groups.slice(0, maxGroups);
    return { points: kept.map(([key, group]) => ({ [spec.x]: key, ...Object.fromEntries(keys.map((k) => [k, group.get(k) ?? 0])) })), keys, shown: kept.length, total: groups.length };
  }
  const x = spec.x === "" ? -1 : at(spec.x);
  const points = rows.map((row, i) => ({ [spec.x || "row"]: x === -1 ? String(i + 1) : (row[x] ?? ""), ...Object.fromEntries(spec.measures.map((m) => [m, num(row[at(m)])])) }));
  if (spec.type === "line") {
    points.sort((a, b) => String(a[spec.x]).localeCompare(String(b[spec.x])));
    return { points, keys: spec.measures, shown: points.length, total: points.length };
  }
  // Bars keep the result's own order (its ORDER BY) when all fit; otherwise the largest groups by the first measure.
  if (points.length <= maxGroups) return { points, keys: spec.measures, shown: points.length, total: points.length };
  const first = spec.measures[0]!;
  const sorted = points.sort((a, b) => Number(b[first]) - Number(a[first]));
  return { points: sorted.slice(0, maxGroups), keys: spec.measures, shown: maxGroups, total: sorted.length };
}
