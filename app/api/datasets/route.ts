import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { route } from "@/server/auth/route";
import { getDataset } from "@/server/datasets/datasets";

// GET /api/datasets?name=<dataset>: one dataset of the caller's organization (file, crawl state,
// columns), polled by the page while a crawl runs.
export const GET = route({ permission: "datasets.manage" }, async (request, actor) => {
  const name = new URL(request.url).searchParams.get("name") ?? "";
  const dataset = await getDataset(actor, name);
  if (!dataset) throw new AppError("not_found", `There is no dataset "${name}".`);
  return NextResponse.json({ dataset });
});
