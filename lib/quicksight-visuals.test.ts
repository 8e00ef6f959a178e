import { describe, expect, it } from "vitest";
import { chartOptions, columnKinds } from "./chart-choice";
import { definitionFor, drawVisual, inputColumnsOf, planVisuals, type QuickSightDefinition } from "./quicksight-visuals";

const names = ["age_group", "region", "customer_count", "avg_purchase_amount"];
const rows = [
  ["25-34", "east", "12", "172.5"],
  ["25-34", "west", "9", "150.25"],
  ["35-44", "east", "15", "201"],
];

describe("QuickSight visuals from the workbench's charts", () => {
  it("draws back, from the published definition, exactly the chart and rows the workbench drew", () => {
    // One group per row (one dimension), and one per pair of dimensions drawn as grouped bars.
    const samples = [
      {
        names: ["age_group", "customer_count", "avg_purchase_amount"],
        rows: [
          ["18-24", "7", "99.5"],
          ["25-34", "21", "161.4"],
          ["35-44", "15", "201"],
        ],
      },
      {
        names: ["week", "customer_count"],
        rows: [
          ["2026-01-05", "4"],
          ["2026-01-12", "9"],
        ],
      },
      { names, rows },
    ];
    for (const sample of samples) {
      const kinds = columnKinds(sample.names, sample.rows);
      const dimensions = kinds.filter((k) => k.kind !== "number").length;
      for (const spec of chartOptions(kinds, sample.rows.length)) {
        const [plan] = planVisuals(definitionFor(spec, kinds, "arn:aws:quicksight:us-east-1:111111111111:dataset/x", "Segments"));
        if (!plan || !("spec" in plan)) throw new Error(`no plan for ${JSON.stringify(spec)}`);
        const drawn = drawVisual(plan, sample.names, sample.rows);
        expect(drawn.title).toBe("Segments");
        if (spec.type === "table") {
          expect(drawn).toMatchObject({ spec, columns: sample.names, rows: sample.rows });
          continue;
        }
        expect(drawn.spec).toEqual(spec);
        // A bar over one of two dimensions sums the other away, as QuickSight does; otherwise each
        // result row is one group already, and aggregating it changes nothing.
        if (spec.type === "bar" && dimensions > 1) continue;
        const expected = sample.rows.map((r) => drawn.columns.map((c) => r[sample.names.indexOf(c)]!));
        expect(drawn.rows.map((r) => r.map((v) => (Number.isNaN(Number(v)) ? v : Number(v))))).toEqual(expected.map((r) => r.map((v) => (Number.isNaN(Number(v)) ? v : Number(v)))));
      }
    }
  });

  it("sums a bar over one of two dimensions", () => {
    const kinds = columnKinds(names, rows);
    const [plan] = planVisuals(definitionFor({ type: "bar", x: "age_group", measures: ["customer_count"] }, kinds, "arn", "t"));
    expect(drawVisual(plan as Extract<typeof plan, { spec: unknown }>, names, rows).rows).toEqual([
      ["25-34", "21"],
      ["35-44", "15"],
    ]);
  });

  it("aggregates a data set's rows as each measure's function asks", () => {
    const definition: QuickSightDefinition = {
      DataSetIdentifierDeclarations: [{ Identifier: "d", DataSetArn: "arn" }],
      Sheets: [
        {
          SheetId: "s",
          Visuals: [
            {
              BarChartVisual: {
                VisualId: "v",
                ChartConfiguration: {
                  FieldWells: {
                    BarChartAggregatedFieldWells: {
                      Category: [{ CategoricalDimensionField: { FieldId: "a", Column: { DataSetIdentifier: "d", ColumnName: "age_group" } } }],
                      Values: [
                        { NumericalMeasureField: { FieldId: "c", Column: { DataSetIdentifier: "d", ColumnName: "customer_count" }, AggregationFunction: { SimpleNumericalAggregation: "SUM" } } },
                        { NumericalMeasureField: { FieldId: "p", Column: { DataSetIdentifier: "d", ColumnName: "avg_purchase_amount" }, AggregationFunction: { SimpleNumericalAggregation: "MAX" } } },
                        { CategoricalMeasureField: { FieldId: "r", Column: { DataSetIdentifier: "d", ColumnName: "region" }, AggregationFunction: "DISTINCT_COUNT" } },
                      ],
                    },
                  },
                },
              },
            },
            { PieChartVisual: { VisualId: "pie" } },
          ],
        },
      ],
    };
    const [bar, pie] = planVisuals(definition);
    expect(pie).toEqual({ id: "pie", title: "", unsupported: "PieChartVisual" });
    const drawn = drawVisual(bar as Extract<typeof bar, { spec: unknown }>, names, rows);
    expect(drawn.columns).toEqual(["age_group", "customer_count", "max(avg_purchase_amount)", "distinct_count(region)"]);
    expect(drawn.rows).toEqual([
      ["25-34", "21", "172.5", "2"],
      ["35-44", "15", "201", "1"],
    ]);
  });

  it("types a data set's columns as QuickSight reads them", () => {
    expect(inputColumnsOf(columnKinds(names, rows), rows).map((c) => c.Type)).toEqual(["STRING", "STRING", "INTEGER", "DECIMAL"]);
  });
});
