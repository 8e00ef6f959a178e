import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { route } from "@/server/auth/route";
import { csvLine } from "@/lib/csv";
import { readResult } from "@/server/queries/queries";

// GET /api/queries/result?id=<protected query id>[&format=csv[&raw=1]]: a successful query's
// result, as JSON for the table and chart, or as the CSV file to download (lib/csv.ts).
export const GET = route({ permission: "queries.run" }, async (request, actor) => {
  const url = new URL(request.url);
  const id = url.searchParams.get("id") ?? "";
  const result = await readResult(actor, id);
  if (!result) throw new AppError("not_found", "This query has no result (yet).");
  if (url.searchParams.get("format") !== "csv") return NextResponse.json(result);
  // Cells that a spreadsheet would run as formulas are neutralised, unless the analyst asks for raw values (raw=1).
  const raw = url.searchParams.get("raw") === "1";
  const csv = [result.columns, ...result.rows].map((row) => csvLine(row, { raw })).join("");
  return new Response(csv, { headers: { "content-type": "text/csv; charset=utf-8", "content-disposition": `attachment; filename="result-${id.replace(/[^\w-]/g, "")}.csv"` } });
});
