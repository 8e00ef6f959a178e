import { NextResponse } from "next/server";
import { route } from "@/server/auth/route";
import { getDatabase, ping } from "@/server/db/client";

export const dynamic = "force-dynamic";

// Public on purpose: load balancers and the start script ask it whether the store is ready.
export const GET = route({ public: true }, async () => {
  const { db, kind } = await getDatabase();
  await ping(db);
  return NextResponse.json({ status: "ok", db: kind });
});
