import type { Role } from "@/lib/permissions";

// The demo: the recipe's two companies, a retailer and a marketing company, each one AWS account.
export const DEMO_PASSWORD = "cleanrooms-demo";

export const demoOrganizations = [
  { slug: "org-a", name: "Organization A", awsAccountId: "111111111111", description: "a retailer" },
  { slug: "org-b", name: "Organization B", awsAccountId: "222222222222", description: "a marketing company" },
] as const;

export const demoRoles: { prefix: string; role: Role; title: string }[] = [
  { prefix: "admin", role: "admin", title: "Admin" },
  { prefix: "owner", role: "data_owner", title: "Data owner" },
  { prefix: "analyst", role: "analyst", title: "Analyst" },
];

export function demoEmail(prefix: string, orgSlug: string): string {
  return `${prefix}@${orgSlug}.example`;
}

export function demoAccounts() {
  return demoOrganizations.flatMap((org) =>
    demoRoles.map(({ prefix, role, title }) => ({
      org: org.slug,
      email: demoEmail(prefix, org.slug),
      role,
      name: `${title}, ${org.name}`,
    })),
  );
}

/** The demo's collaboration, and the query its analysts find in the workbench. */
export const DEMO_COLLABORATION = "analytics-collaboration";

export const DEMO_SUGGESTED_SQL = `SELECT a.age_group,
  COUNT(DISTINCT a.customer_id) AS shared_customers,
  ROUND(AVG(a.purchase_amount), 2) AS avg_purchase,
  ROUND(AVG(b.engagement_score), 1) AS avg_engagement
FROM org_a_customers a
INNER JOIN org_b_customers b ON a.customer_id = b.customer_id
GROUP BY a.age_group
ORDER BY a.age_group`;

/**
 * The demo's differentially private collaboration: org-b's audience answers org-a's analysts only
 * with noisy aggregates (user identifier customer_id), within a monthly budget org-b sets.
 */
export const DEMO_PRIVATE_COLLABORATION = "privacy-collaboration";
export const DEMO_PRIVACY_BUDGET = { epsilon: 5, usersNoisePerQuery: 30 };

export const DEMO_PRIVATE_SQL = `SELECT b.age_group,
  COUNT(DISTINCT b.customer_id) AS shared_customers,
  AVG(b.engagement_score) AS avg_engagement
FROM org_b_audience b
INNER JOIN org_a_purchases a ON a.customer_id = b.customer_id
GROUP BY b.age_group
ORDER BY b.age_group`;

/** How many synthetic customers each organization gets (SEED_DEMO_CUSTOMERS; 0 for none). */
export const demoCustomers = () => Math.max(0, Math.floor(Number(process.env.SEED_DEMO_CUSTOMERS ?? 100_000) || 0));
