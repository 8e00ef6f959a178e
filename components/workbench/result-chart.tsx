"use client";

import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { ChartData, ChartSpec } from "@/lib/chart-choice";

const palette = ["#2159c4", "#0f9d76", "#d97706", "#b43c8c", "#5b6ee1", "#0e7490", "#9a3412", "#4d7c0f", "#6d28d9", "#be123c"];

/** Draws the points `chartData` prepared; this module is loaded apart from the page. */
export function drawChart(spec: ChartSpec, data: ChartData) {
  if (spec.type !== "bar" && spec.type !== "groupedBar" && spec.type !== "line") return null;
  const x = spec.type === "bar" && spec.x === "" ? "row" : spec.x;
  return (
    <div className="h-80 w-full" role="img" aria-label={`${spec.type === "line" ? "Line" : "Bar"} chart of ${data.keys.join(", ")} by ${x}`}>
      <ResponsiveContainer width="100%" height="100%">
        {spec.type === "line" ? (
          <LineChart data={data.points} margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey={x} tick={{ fontSize: 12 }} />
            <YAxis tick={{ fontSize: 12 }} />
            <Tooltip />
            <Legend />
            {data.keys.map((key, i) => (
              <Line key={key} type="monotone" dataKey={key} stroke={palette[i % palette.length]} dot={false} isAnimationActive={false} />
            ))}
          </LineChart>
        ) : (
          <BarChart data={data.points} margin={{ top: 8, right: 16, left: 8, bottom: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey={x} tick={{ fontSize: 12 }} />
            <YAxis tick={{ fontSize: 12 }} />
            <Tooltip />
            <Legend />
            {data.keys.map((key, i) => (
              <Bar key={key} dataKey={key} fill={palette[i % palette.length]} isAnimationActive={false} />
            ))}
          </BarChart>
        )}
      </ResponsiveContainer>
    </div>
  );
}
