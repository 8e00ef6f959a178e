import type { Metadata } from "next";
import { ComingPage } from "@/components/shell/coming-page";
import { requirePage } from "@/server/auth/session";

export const metadata: Metadata = { title: "Configured tables" };

export default async function ConfiguredTablesPage() {
  await requirePage("configuredTables.manage", "/configured-tables");
  return (
    <ComingPage
      title="Configured tables"
      summary="Choose which columns a collaboration may use, and the analysis rule that guards them."
      points={[
        "Create a configured table from a catalogued dataset and pick its allowed columns.",
        "Attach an aggregation, list or custom analysis rule, with differential privacy where needed.",
        "Associate the table with a collaboration and decide who may receive results.",
      ]}
    />
  );
}
