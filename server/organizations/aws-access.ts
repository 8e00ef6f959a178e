import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { AwsAccessInput } from "@/lib/aws-access";
import { getDb } from "@/server/db/client";
import { localCloudRegion } from "@/server/config";
import { organizationAwsAccess, organizations, type Organization, type OrganizationAwsAccess } from "@/server/db/schema";

// Each organization's AWS access settings (aws mode). The external id is made here, once per
// organization, from node:crypto: the organization puts it in its role's trust policy, so that
// the console assumes that role only for this organization (the confused-deputy guard AWS advises).

const base32 = "abcdefghijklmnopqrstuvwxyz234567";
const newExternalId = () => "cleanrooms-" + [...randomBytes(20)].map((b) => base32[b % 32]).join("");

/** The organization's settings, created with a fresh external id on first use. */
export async function awsAccessOf(organizationId: string): Promise<OrganizationAwsAccess> {
  const db = await getDb();
  // Read on every client the console builds in aws mode: a plain read, writing only the first time.
  const [existing] = await db.select().from(organizationAwsAccess).where(eq(organizationAwsAccess.organizationId, organizationId));
  if (existing) return existing;
  await db.insert(organizationAwsAccess).values({ organizationId, externalId: newExternalId(), region: localCloudRegion() }).onConflictDoNothing();
  const [row] = await db.select().from(organizationAwsAccess).where(eq(organizationAwsAccess.organizationId, organizationId));
  return row!;
}

/** The organization that is this AWS account, with its settings; undefined for an unknown account. */
export async function awsAccessForAccount(accountId: string): Promise<{ organization: Organization; access: OrganizationAwsAccess } | undefined> {
  const db = await getDb();
  const [organization] = await db.select().from(organizations).where(eq(organizations.awsAccountId, accountId));
  if (!organization) return undefined;
  return { organization, access: await awsAccessOf(organization.id) };
}

/** Saves new settings; a changed role or source forgets the last connection test. */
export async function updateAwsAccess(organizationId: string, input: AwsAccessInput): Promise<OrganizationAwsAccess> {
  const before = await awsAccessOf(organizationId);
  const roleArn = input.credentialSource === "assume_role" ? input.roleArn : null;
  const changed = before.credentialSource !== input.credentialSource || before.roleArn !== roleArn || before.region !== input.region;
  const db = await getDb();
  const [row] = await db
    .update(organizationAwsAccess)
    .set({ credentialSource: input.credentialSource, roleArn, region: input.region, updatedAt: new Date(), ...(changed ? { testedAt: null, testedArn: null } : {}) })
    .where(eq(organizationAwsAccess.organizationId, organizationId))
    .returning();
  return row!;
}

export async function recordConnectionTest(organizationId: string, arn: string): Promise<void> {
  const db = await getDb();
  await db.update(organizationAwsAccess).set({ testedAt: new Date(), testedArn: arn }).where(eq(organizationAwsAccess.organizationId, organizationId));
}
