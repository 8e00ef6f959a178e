"use client";

import { useMemo } from "react";
import { RowsBody, useResultChart } from "@/components/workbench/result-view";
import { chartData, columnKinds } from "@/lib/chart-choice";
import type { DrawnVisual } from "@/lib/quicksight-visuals";

type Visual = DrawnVisual | { id: string; title: string; unsupported: string };

/** A dashboard's visuals, drawn with the workbench's own charts. */
export function DashboardView({ visuals }: { visuals: Visual[] }) {
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      {visuals.map((visual) => (
        <section key={visual.id} className="rounded-lg border border-slate-200 bg-white p-4" aria-label={visual.title || visual.id}>
          <h2 className="mb-2 text-base font-semibold">{visual.title || visual.id}</h2>
          {"unsupported" in visual ? (
            <p className="text-sm text-slate-600">The console does not draw {visual.unsupported}; open the dashboard in QuickSight to see it.</p>
          ) : (
            <VisualBody visual={visual} />
          )}
        </section>
      ))}
    </div>
  );
}

function VisualBody({ visual }: { visual: DrawnVisual }) {
  const chart = useResultChart();
  const data = useMemo(() => chartData(visual.spec, visual.columns, visual.rows), [visual]);
  const kinds = useMemo(() => columnKinds(visual.columns, visual.rows), [visual]);
  if (visual.spec.type === "number") {
    const at = visual.columns.indexOf(visual.spec.measure);
    return (
      <div>
        <p className="text-sm text-slate-600">{visual.spec.measure}</p>
        <p className="text-4xl font-semibold tabular-nums" data-testid="kpi-value">
          {Number(visual.rows[0]?.[at] ?? 0).toLocaleString("en")}
        </p>
      </div>
    );
  }
  if (visual.spec.type === "table") {
    return (
      <div className="max-h-96 overflow-auto" tabIndex={0}>
        <table className="min-w-full text-sm" aria-label={`${visual.title || visual.id} rows`}>
          <thead className="bg-slate-50 text-left text-xs text-slate-600">
            <tr>
              {visual.columns.map((c) => (
                <th key={c} scope="col" className="px-3 py-2">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <RowsBody rows={visual.rows.slice(0, 1000)} kinds={kinds} />
        </table>
      </div>
    );
  }
  return chart ? chart.drawChart(visual.spec, data) : <p className="text-sm text-slate-600">Drawing the chart…</p>;
}
