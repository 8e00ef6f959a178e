import { and, eq } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { collaborationSettings } from "@/server/db/schema";

// What an organization keeps about a collaboration beside Clean Rooms: its QuickSight dashboard.

export async function dashboardUrlOf(organizationId: string, collaborationId: string): Promise<string | null> {
  const db = await getDb();
  const [row] = await db
    .select({ url: collaborationSettings.quicksightDashboardUrl })
    .from(collaborationSettings)
    .where(and(eq(collaborationSettings.organizationId, organizationId), eq(collaborationSettings.collaborationId, collaborationId)));
  return row?.url ?? null;
}

export async function setDashboardUrl(organizationId: string, collaborationId: string, url: string | null): Promise<void> {
  const db = await getDb();
  await db
    .insert(collaborationSettings)
    .values({ organizationId, collaborationId, quicksightDashboardUrl: url })
    .onConflictDoUpdate({ target: [collaborationSettings.organizationId, collaborationSettings.collaborationId], set: { quicksightDashboardUrl: url, updatedAt: new Date() } });
}
