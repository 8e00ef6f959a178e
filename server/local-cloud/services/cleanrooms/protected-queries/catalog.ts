import { analysisRuleTypes, policyMember, tableRuleOf } from "@/lib/analysis-rules";
import type { CatalogTable, QueryCatalog } from "@/server/engine/sql/catalog";
import type { GlueTableRow } from "../../glue/store";
import { QueryRefusal } from "@/server/engine/sql/refusal";
import type { PrivacyPlan } from "@/server/engine/sql/differential-privacy";
import { columnsOfGlueTable, glueTablesOf, receivesResults } from "../configured-tables";
import type { Collaboration } from "../access";
import type { AssociationBody, ConfiguredTableBody } from "../model";
import { associationsWithTables, type Resource } from "../resources";

// The catalog the validator reads: the collaboration's associated tables as the querying member
// sees them (schemas and rules), plus, for the executor only, where each table's data lives.

export interface CatalogSource {
  association: Resource<AssociationBody>;
  configuredTable: Resource<ConfiguredTableBody>;
  /** The Glue table behind it as read for this catalog (undefined when it no longer exists). */
  glueTable: GlueTableRow | undefined;
}

/**
 * The catalog, and each catalog table's source keyed by the table itself: whatever table the
 * validator binds a name to is the table whose files the sandbox reads.
 */
export async function catalogFor(collaboration: Collaboration, runnerAccountId: string): Promise<{ catalog: QueryCatalog; sources: Map<CatalogTable, CatalogSource> }> {
  // Two reads whatever the number of tables: associations with their configured tables, then their Glue tables.
  const { associations, tables: configuredTables } = await associationsWithTables<AssociationBody, ConfiguredTableBody>(collaboration.id);
  const configured = new Map(configuredTables.map((t) => [t.id, t]));
  const glueTables = await glueTablesOf(configuredTables);
  const tables: CatalogTable[] = [];
  const sources = new Map<CatalogTable, CatalogSource>();
  for (const association of associations) {
    const configuredTable = configured.get(association.body.configuredTableId);
    if (!configuredTable) continue;
    const glueTable = glueTables.get(configuredTable.id);
    const glueColumns = columnsOfGlueTable(glueTable);
    // A configured table has one rule (the store keeps it so); its policy was checked on the way in.
    const type = analysisRuleTypes.find((t) => configuredTable.body.analysisRules[t]);
    const rule = type ? tableRuleOf(type, configuredTable.body.analysisRules[type]!.policy) : null;
    const collaborationRule = type ? association.body.analysisRules[type] : undefined;
    const resultReceivers = (collaborationRule?.policy.v1 as Record<string, { allowedResultReceivers?: string[] } | undefined> | undefined)?.[policyMember[type!]]?.allowedResultReceivers;
    const table: CatalogTable = {
      name: association.name,
      ownerAccountId: association.accountId,
      columns: configuredTable.body.allowedColumns.map((name) => ({ name, type: glueColumns.get(name.toLowerCase())?.type ?? "string" })),
      rule,
      ...(resultReceivers ? { resultReceivers } : {}),
    };
    tables.push(table);
    sources.set(table, { association, configuredTable, glueTable });
  }
  return { catalog: { tables, runnerAccountId }, sources };
}

/**
 * A query on differentially private tables runs only if their owner cannot receive results: the
 * check made at association and at every rule change, made again here, when it counts.
 */
export function checkPrivacyOwner(collaboration: Collaboration, privacy: PrivacyPlan | undefined): void {
  if (privacy && receivesResults(collaboration, privacy.protectedOwnerAccountId)) {
    throw new QueryRefusal(
      `The differentially private tables of account ${privacy.protectedOwnerAccountId} cannot be queried: that member can receive results in this collaboration, and differential privacy protects data from those who receive results.`,
    );
  }
}
