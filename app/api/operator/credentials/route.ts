import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { route } from "@/server/auth/route";
import { credentialsForOrganization } from "@/server/local-keys/credentials";

export const dynamic = "force-dynamic";

// Serves `npm run credentials` while this process holds the embedded database.
const organizationOf = (request: Request) => new URL(request.url).searchParams.get("org") ?? "";

export const GET = route({ operator: organizationOf }, async (request) => {
  const slug = organizationOf(request);
  const credentials = await credentialsForOrganization(slug);
  if (!credentials) throw new AppError("not_found", `No organization with the slug "${slug}".`);
  return NextResponse.json(credentials, { headers: { "Cache-Control": "no-store" } });
});
