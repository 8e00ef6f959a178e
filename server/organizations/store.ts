import { count, eq } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { createAccessKey } from "@/server/local-keys/access-keys";
import { organizations, type NewOrganization, type Organization } from "@/server/db/schema";

export async function createOrganization(input: Pick<NewOrganization, "slug" | "name" | "awsAccountId">): Promise<Organization> {
  const db = await getDb();
  const [row] = await db.insert(organizations).values(input).returning();
  // Each organization is an account of the local cloud, with keys of its own from the start.
  await createAccessKey({ accountId: row!.awsAccountId });
  return row!;
}

export async function getOrganizationBySlug({ slug }: { slug: string }): Promise<Organization | undefined> {
  const db = await getDb();
  const [row] = await db.select().from(organizations).where(eq(organizations.slug, slug));
  return row;
}

export async function countOrganizations(): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ n: count() }).from(organizations);
  return row?.n ?? 0;
}
