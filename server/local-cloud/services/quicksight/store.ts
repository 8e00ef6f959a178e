import { and, asc, eq } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { CloudError } from "../../errors";
import { quicksightResources } from "../../store/schema";

// QuickSight's resources of one account, by kind and id.

export type QuickSightKind = "subscription" | "user" | "dataSource" | "dataSet" | "analysis" | "dashboard";
export type Permission = { Principal: string; Actions: string[] };
export type QuickSightResource = typeof quicksightResources.$inferSelect;

const key = (accountId: string, kind: QuickSightKind, resourceId: string) =>
  and(eq(quicksightResources.accountId, accountId), eq(quicksightResources.kind, kind), eq(quicksightResources.resourceId, resourceId));

export async function findResource(accountId: string, kind: QuickSightKind, resourceId: string): Promise<QuickSightResource | undefined> {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(quicksightResources)
    .where(key(accountId, kind, resourceId));
  return row;
}

const described: Record<QuickSightKind, string> = { subscription: "account", user: "user", dataSource: "data source", dataSet: "data set", analysis: "analysis", dashboard: "dashboard" };

export async function getResource(accountId: string, kind: QuickSightKind, resourceId: string): Promise<QuickSightResource> {
  const row = await findResource(accountId, kind, resourceId);
  if (!row) throw new CloudError(404, "ResourceNotFoundException", `The ${described[kind]} ${resourceId} does not exist in account ${accountId}.`);
  return row;
}

export async function insertResource(row: {
  accountId: string;
  kind: QuickSightKind;
  resourceId: string;
  name: string;
  body: Record<string, unknown>;
  permissions?: Permission[];
}): Promise<QuickSightResource> {
  const db = await getDb();
  const [inserted] = await db
    .insert(quicksightResources)
    .values({ ...row, permissions: row.permissions ?? [] })
    .onConflictDoNothing()
    .returning();
  if (!inserted) throw new CloudError(409, "ResourceExistsException", `The ${described[row.kind]} ${row.resourceId} already exists in account ${row.accountId}.`);
  return inserted;
}

export async function updateResource(
  accountId: string,
  kind: QuickSightKind,
  resourceId: string,
  values: Partial<Pick<QuickSightResource, "name" | "body" | "permissions" | "version">>,
): Promise<QuickSightResource> {
  const db = await getDb();
  const [row] = await db
    .update(quicksightResources)
    .set({ ...values, updatedAt: new Date() })
    .where(key(accountId, kind, resourceId))
    .returning();
  if (!row) throw new CloudError(404, "ResourceNotFoundException", `The ${described[kind]} ${resourceId} does not exist in account ${accountId}.`);
  return row;
}

export async function deleteResource(accountId: string, kind: QuickSightKind, resourceId: string): Promise<QuickSightResource> {
  const db = await getDb();
  const [row] = await db
    .delete(quicksightResources)
    .where(key(accountId, kind, resourceId))
    .returning();
  if (!row) throw new CloudError(404, "ResourceNotFoundException", `The ${described[kind]} ${resourceId} does not exist in account ${accountId}.`);
  return row;
}

export async function listResources(accountId: string, kind: QuickSightKind): Promise<QuickSightResource[]> {
  const db = await getDb();
  return db
    .select()
    .from(quicksightResources)
    .where(and(eq(quicksightResources.accountId, accountId), eq(quicksightResources.kind, kind)))
    .orderBy(asc(quicksightResources.createdAt), asc(quicksightResources.resourceId));
}
