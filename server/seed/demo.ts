import { createOrganization, countOrganizations } from "@/server/organizations/store";
import { createUser } from "@/server/users/store";
import { log } from "@/server/log";
import { DEMO_PASSWORD, demoAccounts, demoOrganizations } from "./demo-data";

/** Seeds the demo organizations and users into an empty store; returns whether it did. */
export async function seedDemo(): Promise<boolean> {
  if ((await countOrganizations()) > 0) return false;
  const orgIds = new Map<string, string>();
  for (const { slug, name, awsAccountId } of demoOrganizations) {
    orgIds.set(slug, (await createOrganization({ slug, name, awsAccountId })).id);
  }
  for (const account of demoAccounts()) {
    await createUser({ orgId: orgIds.get(account.org)!, email: account.email, name: account.name, role: account.role, password: DEMO_PASSWORD });
  }
  log("info", "seeded the demo organizations", { organizations: demoOrganizations.map((o) => o.slug) });
  return true;
}
