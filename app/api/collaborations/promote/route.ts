import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { cliScript, cloudFormationTemplate } from "@/lib/promote";
import { route } from "@/server/auth/route";
import { blueprintOf } from "@/server/promote/blueprint";

// GET /api/collaborations/promote?id=<collaboration>&format=cloudformation|cli: the collaboration's
// design, to recreate on AWS, for an admin of the organization that created it.
export const GET = route({ permission: "collaborations.manage" }, async (request, actor) => {
  const url = new URL(request.url);
  const id = url.searchParams.get("id") ?? "";
  const format = url.searchParams.get("format");
  if (format !== "cloudformation" && format !== "cli") throw new AppError("invalid", "Ask for format=cloudformation or format=cli.");
  const blueprint = await blueprintOf(actor, id);
  const base = blueprint.name.replace(/[^\w-]+/g, "-").toLowerCase() || "collaboration";
  if (format === "cloudformation") {
    return new NextResponse(`${JSON.stringify(cloudFormationTemplate(blueprint), null, 2)}\n`, {
      headers: { "content-type": "application/json; charset=utf-8", "content-disposition": `attachment; filename="${base}.cloudformation.json"` },
    });
  }
  return new NextResponse(cliScript(blueprint), { headers: { "content-type": "text/x-shellscript; charset=utf-8", "content-disposition": `attachment; filename="${base}.promote.sh"` } });
});
