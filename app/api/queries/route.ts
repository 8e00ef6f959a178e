import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { route } from "@/server/auth/route";
import { getQuery } from "@/server/queries/queries";

// GET /api/queries?id=<protected query id>: its state, polled by the workbench while it runs.
export const GET = route({ permission: "queries.run" }, async (request, actor) => {
  const id = new URL(request.url).searchParams.get("id") ?? "";
  const query = await getQuery(actor, id);
  if (!query) throw new AppError("not_found", "There is no such query.");
  return NextResponse.json({ query });
});
