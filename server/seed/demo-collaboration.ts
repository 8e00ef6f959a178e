import fs from "node:fs";
import { Readable } from "node:stream";
import { CreateAnalysisTemplateCommand } from "@aws-sdk/client-cleanrooms";
import type { TableRule } from "@/lib/analysis-rules";
import { awsClientsFor, type AwsPrincipal } from "@/server/aws/clients";
import { associateTable, createCollaboration, joinCollaboration, membershipOf } from "@/server/collaborations/collaborations";
import { saveSettings } from "@/server/collaborations/settings";
import { createConfiguredTable, saveAnalysisRule } from "@/server/configured-tables/configured-tables";
import { untilCatalogued, uploadDataset } from "@/server/datasets/datasets";
import { log } from "@/server/log";
import { getOrganizationBySlug } from "@/server/organizations/store";
import { setPrivacyBudgetTemplate } from "@/server/collaborations/privacy-budget";
import { DEMO_COLLABORATION, DEMO_PRIVACY_BUDGET, DEMO_PRIVATE_COLLABORATION, DEMO_PRIVATE_SQL, DEMO_SUGGESTED_SQL, demoCustomers } from "./demo-data";
import { recipeSampleOrgA, recipeSampleOrgB } from "./recipe-samples";
import { writeSyntheticCustomers } from "./synthetic";

// The demo's data, set up through the same calls the console makes (and so the same SDK calls
// to Clean Rooms, Glue and S3): each organization uploads the recipe's sample file and its
// synthetic customers; the synthetic ones are configured with aggregation rules; org-a creates
// "analytics-collaboration" (it may query and receive results), org-b joins, both associate
// their tables; org-a adds a table with a custom rule and an analysis template; org-a's analysts
// find a suggested query in the workbench. A second collaboration, "privacy-collaboration",
// shows differential privacy: org-b's audience, protected with user identifier customer_id,
// answers org-a's analysts with noisy aggregates within a monthly privacy budget org-b sets.

const aggregation = (measure: string, functions: ("SUM" | "AVG")[], dimensions: string[], joinRequired?: "QUERY_RUNNER"): TableRule => ({
  type: "AGGREGATION",
  policy: {
    aggregateColumns: [{ columnNames: ["customer_id"], function: "COUNT_DISTINCT" }, ...functions.map((fn) => ({ columnNames: [measure], function: fn }))],
    joinColumns: ["customer_id"],
    ...(joinRequired ? { joinRequired } : {}),
    dimensionColumns: dimensions,
    scalarFunctions: ["ROUND", "LOWER", "UPPER", "CAST", "COALESCE"],
    // No group of fewer than 100 customers leaves the collaboration.
    outputConstraints: [{ columnName: "customer_id", minimum: 100, type: "COUNT_DISTINCT" }],
  },
});

/** A collaboration org-a creates (it may query and receive results) and org-b joins (contributing data). */
async function retailerAndMarketer(a: AwsPrincipal, b: AwsPrincipal, name: string, description: string): Promise<string> {
  const collaborationId = await createCollaboration(a, {
    name,
    description,
    creatorDisplayName: "Organization A",
    creatorAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
    members: [{ accountId: b.awsAccountId, displayName: "Organization B", abilities: [] }],
    queryLogStatus: "ENABLED",
    encryption: null,
  });
  await joinCollaboration(b, collaborationId);
  return collaborationId;
}

async function upload(principal: AwsPrincipal, name: string, body: Readable): Promise<void> {
  await uploadDataset(principal, { name, filename: `${name}.csv`, body });
  if (!(await untilCatalogued(principal, name))) throw new Error(`the dataset ${name} was not catalogued within a minute`);
}

/** Seeds the demo collaboration; the demo organizations must exist. */
export async function seedDemoCollaboration(customers = demoCustomers()): Promise<void> {
  if (customers === 0) return;
  const started = Date.now();
  const [orgA, orgB] = await Promise.all([getOrganizationBySlug({ slug: "org-a" }), getOrganizationBySlug({ slug: "org-b" })]);
  if (!orgA || !orgB) throw new Error("the demo organizations are missing");
  const a: AwsPrincipal = { awsAccountId: orgA.awsAccountId };
  const b: AwsPrincipal = { awsAccountId: orgB.awsAccountId };

  const files = await writeSyntheticCustomers(customers);
  try {
    await Promise.all([
      upload(a, "customer_data_org_a", Readable.from([Buffer.from(recipeSampleOrgA)])),
      upload(b, "customer_data_org_b", Readable.from([Buffer.from(recipeSampleOrgB)])),
      upload(a, "customers_org_a", fs.createReadStream(files.retailer)),
      upload(b, "customers_org_b", fs.createReadStream(files.marketer)),
    ]);
  } finally {
    await fs.promises.rm(files.dir, { recursive: true, force: true });
  }

  const customersA = await createConfiguredTable(a, {
    name: "org_a_customers",
    description: "The retailer's customers: demographics and spend.",
    dataset: "customers_org_a",
    columns: ["customer_id", "age_group", "region", "purchase_amount", "product_category", "registration_date"],
  });
  await saveAnalysisRule(a, customersA, aggregation("purchase_amount", ["SUM", "AVG"], ["age_group", "region", "product_category"]));
  const purchasesA = await createConfiguredTable(a, {
    name: "org_a_purchases",
    description: "The retailer's purchases, for its own templates.",
    dataset: "customers_org_a",
    columns: ["customer_id", "region", "product_category", "purchase_amount"],
  });
  await saveAnalysisRule(a, purchasesA, { type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [a.awsAccountId], disallowedOutputColumns: ["customer_id"] } });
  const customersB = await createConfiguredTable(b, {
    name: "org_b_customers",
    description: "The marketing company's audience: engagement and channels.",
    dataset: "customers_org_b",
    columns: ["customer_id", "age_group", "region", "engagement_score", "channel_preference"],
  });
  // org-b's data may be read only joined to the querying member's own customers.
  await saveAnalysisRule(b, customersB, aggregation("engagement_score", ["AVG", "SUM"], ["age_group", "region", "channel_preference"], "QUERY_RUNNER"));

  const collaborationId = await retailerAndMarketer(a, b, DEMO_COLLABORATION, "The retailer and the marketing company learn about their shared customers.");
  await associateTable(a, collaborationId, { configuredTableId: customersA, name: "org_a_customers", description: "Customers of Organization A", resultReceivers: [a.awsAccountId] });
  await associateTable(a, collaborationId, { configuredTableId: purchasesA, name: "org_a_purchases", description: "Purchases of Organization A", resultReceivers: [a.awsAccountId] });
  await associateTable(b, collaborationId, { configuredTableId: customersB, name: "org_b_customers", description: "Audience of Organization B", resultReceivers: [a.awsAccountId] });

  const clients = await awsClientsFor(a);
  const membership = await membershipOf(clients, collaborationId);
  await clients.cleanrooms.send(
    new CreateAnalysisTemplateCommand({
      membershipIdentifier: membership!.id!,
      name: "big_spenders_by_region",
      description: "Purchases of at least a given amount, and their revenue, per region.",
      format: "SQL",
      source: {
        text: "SELECT region, COUNT(*) AS purchases, ROUND(SUM(purchase_amount), 2) AS revenue\nFROM org_a_purchases\nWHERE purchase_amount >= :min_purchase\nGROUP BY region\nORDER BY revenue DESC",
      },
      analysisParameters: [{ name: "min_purchase", type: "DOUBLE", defaultValue: "250" }],
    }),
  );
  await saveSettings(orgA.id, collaborationId, { suggestedSql: DEMO_SUGGESTED_SQL });
  await seedPrivateCollaboration(a, b, orgA.id, purchasesA);
  log("info", "seeded the demo collaboration", { collaboration: DEMO_COLLABORATION, customersPerOrganization: customers, ms: Date.now() - started });
}

async function seedPrivateCollaboration(a: AwsPrincipal, b: AwsPrincipal, orgAId: string, purchasesA: string): Promise<void> {
  const audience = await createConfiguredTable(b, {
    name: "org_b_audience",
    description: "The marketing company's audience, protected by differential privacy.",
    dataset: "customers_org_b",
    columns: ["customer_id", "age_group", "region", "engagement_score", "channel_preference"],
  });
  await saveAnalysisRule(b, audience, {
    type: "CUSTOM",
    policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [a.awsAccountId], differentialPrivacy: { columns: [{ name: "customer_id" }] } },
  });
  const collaborationId = await retailerAndMarketer(a, b, DEMO_PRIVATE_COLLABORATION, "The retailer learns about the marketing company's audience through noisy aggregates only.");
  await associateTable(b, collaborationId, { configuredTableId: audience, name: "org_b_audience", description: "Audience of Organization B", resultReceivers: [a.awsAccountId] });
  await associateTable(a, collaborationId, { configuredTableId: purchasesA, name: "org_a_purchases", description: "Purchases of Organization A", resultReceivers: [a.awsAccountId] });
  await setPrivacyBudgetTemplate(b, collaborationId, { ...DEMO_PRIVACY_BUDGET, autoRefresh: "CALENDAR_MONTH" });
  await saveSettings(orgAId, collaborationId, { suggestedSql: DEMO_PRIVATE_SQL });
}
