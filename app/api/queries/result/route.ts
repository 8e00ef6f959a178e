import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { route } from "@/server/auth/route";
import { readResult } from "@/server/queries/queries";

// GET /api/queries/result?id=<protected query id>[&format=csv]: a successful query's result, as
// JSON for the table and chart, or as the CSV file to download.
export const GET = route({ permission: "queries.run" }, async (request, actor) => {
  const url = new URL(request.url);
  const id = url.searchParams.get("id") ?? "";
  const result = await readResult(actor, id);
  if (!result) throw new AppError("not_found", "This query has no result (yet).");
  if (url.searchParams.get("format") !== "csv") return NextResponse.json(result);
  const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const csv = [result.columns, ...result.rows].map((row) => row.map(quote).join(",")).join("\n") + "\n";
  return new Response(csv, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="result-${id.replace(/[^\w-]/g, "")}.csv"` } });
});
