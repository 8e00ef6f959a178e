"use client";

import { useActionState, useEffect, useMemo, useState } from "react";
import { publishQuickSight } from "@/app/(console)/workbench/actions";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { chartData, chartOptions, chooseChart, columnKinds, type ChartSpec, type ResultColumn } from "@/lib/chart-choice";
import { idleState } from "@/lib/form-state";

// The chart's code (recharts) is loaded apart from the page, and the workbench asks for it early.
// It is kept here once loaded and used directly, rather than through next/dynamic: a lazy
// component suspends on its first render even when its code is in, and React holds a revealed
// Suspense boundary back for a few hundred milliseconds, which the analyst would wait for.
let chartModule: typeof import("./result-chart") | null = null;
export const loadResultChart = () => import("./result-chart").then((loaded) => (chartModule = loaded));

/** The chart module once loaded; its drawing function is called directly (it uses no hooks). */
export function useResultChart() {
  const [loaded, setLoaded] = useState(chartModule);
  useEffect(() => {
    if (!loaded) void loadResultChart().then(setLoaded);
  }, [loaded]);
  return loaded;
}

const PAGE = 50;

const labelOf = (spec: ChartSpec) =>
  spec.type === "number"
    ? `Number: ${spec.measure}`
    : spec.type === "bar"
      ? `Bars by ${spec.x || "row"}: ${spec.measures.join(", ")}`
      : spec.type === "groupedBar"
        ? `Grouped bars: ${spec.x} by ${spec.series}`
        : spec.type === "line"
          ? `Line over ${spec.x}: ${spec.measures.join(", ")}`
          : "Table only";

/** A result as a chart chosen from its shape (with a picker) and a sortable, paged table. */
export function ResultView({
  columns,
  rows,
  truncated,
  downloadHref,
  publishQueryId,
}: {
  columns: string[];
  rows: string[][];
  truncated: boolean;
  downloadHref: string;
  /** The query whose result this is, to publish it to QuickSight with the chart shown. */
  publishQueryId?: string;
}) {
  const chart = useResultChart();
  const kinds = useMemo(() => columnKinds(columns, rows), [columns, rows]);
  const options = useMemo(() => chartOptions(kinds, rows.length), [kinds, rows.length]);
  const [choice, setChoice] = useState(() => options.indexOf(options.find((o) => JSON.stringify(o) === JSON.stringify(chooseChart(kinds, rows.length)))!));
  const spec = options[choice] ?? options[0]!;
  const data = useMemo(() => chartData(spec, columns, rows), [spec, columns, rows]);
  const [sort, setSort] = useState<{ column: number; descending: boolean } | null>(null);
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    if (!sort) return rows;
    const numeric = kinds[sort.column]?.kind === "number";
    const compare = (a: string[], b: string[]) => (numeric ? Number(a[sort.column]) - Number(b[sort.column]) : String(a[sort.column]).localeCompare(String(b[sort.column])));
    return [...rows].sort((a, b) => (sort.descending ? -compare(a, b) : compare(a, b)));
  }, [rows, sort, kinds]);
  const pages = Math.max(1, Math.ceil(sorted.length / PAGE));
  const shown = sorted.slice(page * PAGE, (page + 1) * PAGE);

  return (
    <section className="space-y-4" aria-label="Result">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-slate-700">
          {rows.length.toLocaleString("en")} row{rows.length === 1 ? "" : "s"}
          {truncated ? " (the first 100,000; download the CSV for all of them)" : ""}
        </p>
        <div className="flex items-center gap-3">
          <label className="flex items-center gap-2 text-sm">
            Chart
            <select value={choice} onChange={(e) => setChoice(Number(e.target.value))} className="rounded-md border border-slate-300 px-2 py-1">
              {options.map((option, i) => (
                <option key={i} value={i}>
                  {labelOf(option)}
                </option>
              ))}
            </select>
          </label>
          <a href={downloadHref} className="text-sm text-brand-700 underline" download>
            Download CSV
          </a>
        </div>
      </div>
      {spec.type === "number" ? (
        <div className="rounded-lg border border-slate-200 bg-white p-6">
          <p className="text-sm text-slate-600">{spec.measure}</p>
          <p className="text-4xl font-semibold tabular-nums" data-testid="result-number">
            {Number(rows[0]?.[columns.indexOf(spec.measure)] ?? 0).toLocaleString("en")}
          </p>
        </div>
      ) : spec.type !== "table" ? (
        <div className="rounded-lg border border-slate-200 bg-white p-4">
          {chart ? chart.drawChart(spec, data) : <p className="text-sm text-slate-600">Drawing the chart…</p>}
          {data.shown < data.total && (
            <p className="mt-2 text-xs text-slate-600">
              The chart shows the {data.shown} largest of {data.total.toLocaleString("en")} groups; the table has them all.
            </p>
          )}
        </div>
      ) : null}
      {publishQueryId && <PublishForm queryId={publishQueryId} chart={spec} />}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm" aria-label="Result rows">
          <thead className="bg-slate-50 text-left text-xs text-slate-600">
            <tr>
              {columns.map((column, i) => (
                <th key={i} scope="col" className="px-3 py-2" aria-sort={sort?.column === i ? (sort.descending ? "descending" : "ascending") : "none"}>
                  <button
                    type="button"
                    className="font-semibold"
                    onClick={() => {
                      setSort((s) => ({ column: i, descending: s?.column === i ? !s.descending : false }));
                      setPage(0);
                    }}
                  >
                    {column}
                    {sort?.column === i ? (sort.descending ? " ↓" : " ↑") : ""}
                  </button>
                </th>
              ))}
            </tr>
          </thead>
          <RowsBody rows={shown} kinds={kinds} />
        </table>
      </div>
      {pages > 1 && (
        <nav className="flex items-center gap-3 text-sm" aria-label="Result pages">
          <button type="button" className="rounded border border-slate-300 px-2 py-1 disabled:text-slate-500" disabled={page === 0} onClick={() => setPage((p) => p - 1)}>
            Previous
          </button>
          <span>
            Page {page + 1} of {pages.toLocaleString("en")}
          </span>
          <button type="button" className="rounded border border-slate-300 px-2 py-1 disabled:text-slate-500" disabled={page + 1 >= pages} onClick={() => setPage((p) => p + 1)}>
            Next
          </button>
        </nav>
      )}
    </section>
  );
}

/** Publishes the result, with the chart shown, as the collaboration's QuickSight dashboard. */
function PublishForm({ queryId, chart }: { queryId: string; chart: ChartSpec }) {
  const [state, action, pending] = useActionState(publishQuickSight, idleState);
  return (
    <form action={action} className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-3" aria-label="Publish to QuickSight">
      <input type="hidden" name="queryId" value={queryId} />
      <input type="hidden" name="chart" value={JSON.stringify(chart)} />
      <label className="flex flex-col text-sm">
        Dashboard title
        <input name="title" defaultValue={state.values?.title ?? "Clean Rooms results"} maxLength={128} className="mt-1 rounded-md border border-slate-300 px-2 py-1" />
      </label>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Publishing…" : "Publish to QuickSight"}
      </Button>
      <div className="basis-full empty:hidden">
        <FormMessage state={state} />
        {state.status === "success" && state.data?.url && (
          <a href={state.data.url} target="_blank" rel="noopener noreferrer" className="text-sm text-brand-700 underline">
            Open the dashboard
          </a>
        )}
      </div>
    </form>
  );
}

/** A result's rows as table cells, numbers aligned right (the workbench's table and the dashboards'). */
export function RowsBody({ rows, kinds }: { rows: string[][]; kinds: ResultColumn[] }) {
  return (
    <tbody>
      {rows.map((row, r) => (
        <tr key={r} className="border-t border-slate-100">
          {row.map((value, c) => (
            <td key={c} className={`whitespace-nowrap px-3 py-1.5 ${kinds[c]?.kind === "number" ? "text-right tabular-nums" : ""}`}>
              {value}
            </td>
          ))}
        </tr>
      ))}
    </tbody>
  );
}
