import { and, eq } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { collaborationSettings } from "@/server/db/schema";

// What an organization keeps about a collaboration beside Clean Rooms: its QuickSight dashboard,
// and the query its analysts find in the workbench's editor when they open it.

export interface CollaborationSettings {
  dashboardUrl: string | null;
  suggestedSql: string | null;
}

export async function settingsOf(organizationId: string, collaborationId: string): Promise<CollaborationSettings> {
  const db = await getDb();
  const [row] = await db
    .select({ dashboardUrl: collaborationSettings.quicksightDashboardUrl, suggestedSql: collaborationSettings.suggestedSql })
    .from(collaborationSettings)
    .where(and(eq(collaborationSettings.organizationId, organizationId), eq(collaborationSettings.collaborationId, collaborationId)));
  return row ?? { dashboardUrl: null, suggestedSql: null };
}

/** Changes the settings named in `change`, keeping the others. */
export async function saveSettings(organizationId: string, collaborationId: string, change: Partial<CollaborationSettings>): Promise<void> {
  const db = await getDb();
  const set = {
    ...(change.dashboardUrl !== undefined ? { quicksightDashboardUrl: change.dashboardUrl } : {}),
    ...(change.suggestedSql !== undefined ? { suggestedSql: change.suggestedSql } : {}),
  };
  await db
    .insert(collaborationSettings)
    .values({ organizationId, collaborationId, ...set })
    .onConflictDoUpdate({ target: [collaborationSettings.organizationId, collaborationSettings.collaborationId], set: { ...set, updatedAt: new Date() } });
}
