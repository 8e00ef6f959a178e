import type { ChartSpec, ResultColumn } from "./chart-choice";

// The workbench's charts as QuickSight visuals, and back. Publishing turns the chart an analyst
// sees into a visual of a QuickSight definition over the result's data set; the console's
// dashboard page turns a definition's visuals back into the same charts, aggregating the data
// set's rows as QuickSight would (by the category and colour fields, each value with its function).
// Bar, line, table and KPI visuals are understood; others are listed as not drawn here.

type Column = { DataSetIdentifier: string; ColumnName: string };
type Dimension = {
  CategoricalDimensionField?: { FieldId: string; Column: Column };
  DateDimensionField?: { FieldId: string; Column: Column };
  NumericalDimensionField?: { FieldId: string; Column: Column };
};
type Aggregation = "SUM" | "AVERAGE" | "MIN" | "MAX" | "COUNT" | "DISTINCT_COUNT";
type Measure = {
  NumericalMeasureField?: { FieldId: string; Column: Column; AggregationFunction?: { SimpleNumericalAggregation?: Aggregation } };
  CategoricalMeasureField?: { FieldId: string; Column: Column; AggregationFunction?: "COUNT" | "DISTINCT_COUNT" };
};
type Title = { Visibility?: string; FormatText?: { PlainText?: string } };

export interface QuickSightDefinition {
  DataSetIdentifierDeclarations: { Identifier: string; DataSetArn: string }[];
  Sheets: { SheetId: string; Name?: string; Visuals?: Record<string, unknown>[] }[];
}

const column = (identifier: string, name: string): Column => ({ DataSetIdentifier: identifier, ColumnName: name });
const fieldId = (name: string, i: number) => `${name.replace(/[^\w-]/g, "_").slice(0, 400)}-${i}`;

function dimension(identifier: string, name: string, kind: ResultColumn["kind"] | undefined, i: number): Dimension {
  const field = { FieldId: fieldId(name, i), Column: column(identifier, name) };
  return kind === "date" ? { DateDimensionField: field } : kind === "number" ? { NumericalDimensionField: field } : { CategoricalDimensionField: field };
}

// Each row of a result is already one group, so the sum over a group is its value.
const measure = (identifier: string, name: string, i: number): Measure => ({
  NumericalMeasureField: { FieldId: fieldId(name, i), Column: column(identifier, name), AggregationFunction: { SimpleNumericalAggregation: "SUM" } },
});

const title = (text: string): Title => ({ Visibility: "VISIBLE", FormatText: { PlainText: text } });

/** The QuickSight visual for a workbench chart of a result whose columns are `columns`. */
export function visualFor(spec: ChartSpec, columns: ResultColumn[], identifier: string, heading: string): Record<string, unknown> {
  const kind = (name: string) => columns.find((c) => c.name === name)?.kind;
  const base = { VisualId: "visual-1", Title: title(heading) };
  switch (spec.type) {
    case "number":
      return { KPIVisual: { ...base, ChartConfiguration: { FieldWells: { Values: [measure(identifier, spec.measure, 0)] } } } };
    case "line":
      return {
        LineChartVisual: {
          ...base,
          ChartConfiguration: {
            FieldWells: { LineChartAggregatedFieldWells: { Category: [dimension(identifier, spec.x, kind(spec.x), 0)], Values: spec.measures.map((m, i) => measure(identifier, m, i + 1)) } },
          },
        },
      };
    case "bar":
    case "groupedBar": {
      const x = spec.x || columns.find((c) => c.kind !== "number")?.name || columns[0]!.name;
      const values = spec.type === "bar" ? spec.measures : [spec.measure];
      const wells = {
        Category: [dimension(identifier, x, kind(x), 0)],
        Values: values.map((m, i) => measure(identifier, m, i + 1)),
        ...(spec.type === "groupedBar" ? { Colors: [dimension(identifier, spec.series, kind(spec.series), values.length + 1)] } : {}),
      };
      return { BarChartVisual: { ...base, ChartConfiguration: { FieldWells: { BarChartAggregatedFieldWells: wells }, Orientation: "VERTICAL", BarsArrangement: "CLUSTERED" } } };
    }
    case "table":
      return {
        TableVisual: {
          ...base,
          ChartConfiguration: { FieldWells: { TableUnaggregatedFieldWells: { Values: columns.map((c, i) => ({ FieldId: fieldId(c.name, i), Column: column(identifier, c.name) })) } } },
        },
      };
  }
}

export function definitionFor(spec: ChartSpec, columns: ResultColumn[], dataSetArn: string, heading: string): QuickSightDefinition {
  const identifier = "result";
  return {
    DataSetIdentifierDeclarations: [{ Identifier: identifier, DataSetArn: dataSetArn }],
    Sheets: [{ SheetId: "sheet-1", Name: heading.slice(0, 2048), Visuals: [visualFor(spec, columns, identifier, heading)] }],
  };
}

/** A visual ready to draw: the chart, and the rows it draws (one per group, aggregated). */
export interface DrawnVisual {
  id: string;
  title: string;
  spec: ChartSpec;
  columns: string[];
  rows: string[][];
}

export type VisualPlan =
  | { id: string; title: string; spec: ChartSpec; dimensions: Column[]; measures: { column: Column; aggregation: Aggregation; name: string }[]; unaggregated?: Column[] }
  | { id: string; title: string; unsupported: string };

const columnOf = (d: Dimension) => (d.CategoricalDimensionField ?? d.DateDimensionField ?? d.NumericalDimensionField)?.Column;

function measuresOf(values: Measure[] | undefined) {
  return (values ?? []).flatMap((v) => {
    if (v.NumericalMeasureField) {
      const aggregation = v.NumericalMeasureField.AggregationFunction?.SimpleNumericalAggregation ?? "SUM";
      const c = v.NumericalMeasureField.Column;
      return [{ column: c, aggregation, name: aggregation === "SUM" ? c.ColumnName : `${aggregation.toLowerCase()}(${c.ColumnName})` }];
    }
    if (v.CategoricalMeasureField) {
      const aggregation = v.CategoricalMeasureField.AggregationFunction ?? "COUNT";
      const c = v.CategoricalMeasureField.Column;
      return [{ column: c, aggregation, name: `${aggregation.toLowerCase()}(${c.ColumnName})` }];
    }
    return [];
  });
}

/** What each visual of the definition's sheets draws, in order. */
export function planVisuals(definition: QuickSightDefinition): VisualPlan[] {
  return definition.Sheets.flatMap((sheet) =>
    (sheet.Visuals ?? []).map((visual): VisualPlan => {
      const [type, body] = Object.entries(visual)[0] ?? ["", {}];
      const v = body as { VisualId?: string; Title?: Title; ChartConfiguration?: { FieldWells?: Record<string, Record<string, unknown>> } };
      const id = v.VisualId ?? type;
      const heading = v.Title?.FormatText?.PlainText ?? sheet.Name ?? "";
      const wells = v.ChartConfiguration?.FieldWells ?? {};
      if (type === "BarChartVisual" || type === "LineChartVisual") {
        const w = (wells.BarChartAggregatedFieldWells ?? wells.LineChartAggregatedFieldWells ?? {}) as { Category?: Dimension[]; Values?: Measure[]; Colors?: Dimension[] };
        const x = w.Category?.[0] && columnOf(w.Category[0]);
        const series = w.Colors?.[0] && columnOf(w.Colors[0]);
        const measures = measuresOf(w.Values);
        if (!x || !measures.length) return { id, title: heading, unsupported: `${type} without a category and a value` };
        const spec: ChartSpec =
          type === "LineChartVisual"
            ? { type: "line", x: x.ColumnName, measures: measures.map((m) => m.name) }
            : series
              ? { type: "groupedBar", x: x.ColumnName, series: series.ColumnName, measure: measures[0]!.name }
              : { type: "bar", x: x.ColumnName, measures: measures.map((m) => m.name) };
        return { id, title: heading, spec, dimensions: series ? [x, series] : [x], measures: spec.type === "groupedBar" ? measures.slice(0, 1) : measures };
      }
      if (type === "KPIVisual") {
        const measures = measuresOf((wells as { Values?: Measure[] }).Values);
        if (!measures.length) return { id, title: heading, unsupported: "KPIVisual without a value" };
        return { id, title: heading, spec: { type: "number", measure: measures[0]!.name }, dimensions: [], measures: measures.slice(0, 1) };
      }
      if (type === "TableVisual") {
        const unaggregated = (wells.TableUnaggregatedFieldWells as { Values?: { Column: Column }[] } | undefined)?.Values;
        if (unaggregated) return { id, title: heading, spec: { type: "table" }, dimensions: [], measures: [], unaggregated: unaggregated.map((u) => u.Column) };
        const w = (wells.TableAggregatedFieldWells ?? {}) as { GroupBy?: Dimension[]; Values?: Measure[] };
        return { id, title: heading, spec: { type: "table" }, dimensions: (w.GroupBy ?? []).map(columnOf).filter((c): c is Column => !!c), measures: measuresOf(w.Values) };
      }
      return { id, title: heading, unsupported: type || "an empty visual" };
    }),
  );
}

function aggregate(values: string[], aggregation: Aggregation): string {
  if (aggregation === "COUNT") return String(values.filter((v) => v !== "").length);
  if (aggregation === "DISTINCT_COUNT") return String(new Set(values.filter((v) => v !== "")).size);
  const numbers = values.filter((v) => v !== "" && !Number.isNaN(Number(v))).map(Number);
  if (!numbers.length) return "";
  const result =
    aggregation === "SUM"
      ? numbers.reduce((a, b) => a + b, 0)
      : aggregation === "AVERAGE"
        ? numbers.reduce((a, b) => a + b, 0) / numbers.length
        : aggregation === "MIN"
          ? Math.min(...numbers)
          : Math.max(...numbers);
  return String(Number(result.toPrecision(15)));
}

/** The rows a planned visual draws from its data set's rows: grouped by its dimensions, each measure aggregated. */
export function drawVisual(plan: Extract<VisualPlan, { spec: ChartSpec }>, columns: string[], rows: string[][]): DrawnVisual {
  const at = (c: Column) => {
    const i = columns.indexOf(c.ColumnName);
    if (i === -1) throw new Error(`The data set has no column ${c.ColumnName}.`);
    return i;
  };
  if (plan.unaggregated) {
    const picked = plan.unaggregated.map(at);
    return { id: plan.id, title: plan.title, spec: plan.spec, columns: plan.unaggregated.map((c) => c.ColumnName), rows: rows.map((row) => picked.map((i) => row[i] ?? "")) };
  }
  const dims = plan.dimensions.map(at);
  const measures = plan.measures.map((m) => ({ ...m, index: at(m.column) }));
  const groups = new Map<string, { key: string[]; rows: string[][] }>();
  for (const row of rows) {
    const key = dims.map((i) => row[i] ?? "");
    const id = JSON.stringify(key);
    (groups.get(id) ?? groups.set(id, { key, rows: [] }).get(id)!).rows.push(row);
  }
  const out = [...groups.values()].map(({ key, rows: members }) => [
    ...key,
    ...measures.map((m) =>
      aggregate(
        members.map((r) => r[m.index] ?? ""),
        m.aggregation,
      ),
    ),
  ]);
  return { id: plan.id, title: plan.title, spec: plan.spec, columns: [...plan.dimensions.map((d) => d.ColumnName), ...measures.map((m) => m.name)], rows: out };
}

/** QuickSight's column types for a result's columns, for the data set's InputColumns. */
export function inputColumnsOf(columns: ResultColumn[], rows: string[][]): { Name: string; Type: "STRING" | "INTEGER" | "DECIMAL" | "DATETIME" }[] {
  return columns.map((c, i) => ({
    Name: c.name,
    Type: c.kind === "date" ? "DATETIME" : c.kind === "text" ? "STRING" : rows.every((r) => /^[+-]?\d+$/.test((r[i] ?? "0").trim() || "0")) ? "INTEGER" : "DECIMAL",
  }));
}
