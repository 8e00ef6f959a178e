import "server-only";
import {
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableCommand,
  DeleteConfiguredTableAnalysisRuleCommand,
  DeleteConfiguredTableCommand,
  GetConfiguredTableAnalysisRuleCommand,
  GetConfiguredTableCommand,
  ListConfiguredTablesCommand,
  UpdateConfiguredTableAnalysisRuleCommand,
  type ConfiguredTable as ApiConfiguredTable,
  type ConfiguredTableAnalysisRulePolicy,
} from "@aws-sdk/client-cleanrooms";
import { analysisRuleTypes, configuredTableRulePolicy, tableRuleOf, type TableRule } from "@/lib/analysis-rules";
import type { ConfiguredTableView } from "@/lib/configured-tables";
import { AppError } from "@/lib/errors";
import { awsClientsFor, type AwsClients, type AwsPrincipal } from "@/server/aws/clients";
import { awsCall, isAwsError } from "@/server/aws/errors";
import { DATABASE, getDataset } from "@/server/datasets/datasets";

// Configured tables of the organization: which columns of a catalogued dataset a collaboration
// may use, and the one analysis rule that guards them. All through the organization's own Clean
// Rooms client, so AWS's checks (and the local cloud's) decide, and their messages reach the form.

/** Where the API's field names land on the console's forms. */
export const tableFields = { name: "name", description: "description", allowedColumns: "columns", tableReference: "dataset" };
export const ruleFields = {
  "analysisRulePolicy.v1.aggregation.aggregateColumns": "aggregateColumns",
  "analysisRulePolicy.v1.aggregation.joinColumns": "joinColumns",
  "analysisRulePolicy.v1.aggregation.dimensionColumns": "dimensionColumns",
  "analysisRulePolicy.v1.aggregation.scalarFunctions": "scalarFunctions",
  "analysisRulePolicy.v1.aggregation.outputConstraints": "outputConstraints",
  "analysisRulePolicy.v1.aggregation.allowedJoinOperators": "allowedJoinOperators",
  "analysisRulePolicy.v1.list.joinColumns": "joinColumns",
  "analysisRulePolicy.v1.list.listColumns": "listColumns",
  "analysisRulePolicy.v1.list.allowedJoinOperators": "allowedJoinOperators",
  "analysisRulePolicy.v1.custom.allowedAnalyses": "allowedAnalyses",
  "analysisRulePolicy.v1.custom.allowedAnalysisProviders": "allowedAnalysisProviders",
  "analysisRulePolicy.v1.custom.disallowedOutputColumns": "disallowedOutputColumns",
  "analysisRulePolicy.v1.custom.differentialPrivacy": "differentialPrivacy",
  analysisRulePolicy: "rule",
};

/** A rule as the SDK carries it: `{ v1: { aggregation | list | custom } }`. */
function apiPolicyOf(rule: TableRule): ConfiguredTableAnalysisRulePolicy {
  if (rule.type === "AGGREGATION") return { v1: { aggregation: rule.policy } };
  if (rule.type === "LIST") return { v1: { list: rule.policy } };
  return { v1: { custom: rule.policy } };
}

async function ruleOf(clients: AwsClients, table: ApiConfiguredTable): Promise<TableRule | null> {
  const type = analysisRuleTypes.find((t) => table.analysisRuleTypes?.includes(t));
  if (!type) return null;
  const { analysisRule } = await clients.cleanrooms.send(new GetConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: table.id!, analysisRuleType: type }));
  const policy = configuredTableRulePolicy.safeParse(analysisRule?.policy);
  return policy.success ? tableRuleOf(type, policy.data) : null;
}

function viewOf(table: ApiConfiguredTable, rule: TableRule | null): ConfiguredTableView {
  const glue = table.tableReference && "glue" in table.tableReference ? table.tableReference.glue : undefined;
  return {
    id: table.id!,
    arn: table.arn!,
    name: table.name!,
    description: table.description ?? "",
    dataset: glue?.databaseName === DATABASE ? (glue.tableName ?? null) : null,
    glueTable: glue ? `${glue.databaseName}.${glue.tableName}` : "",
    allowedColumns: table.allowedColumns ?? [],
    createTime: (table.createTime ?? new Date()).toISOString(),
    rule,
  };
}

export async function listConfiguredTables(principal: AwsPrincipal): Promise<ConfiguredTableView[]> {
  const clients = await awsClientsFor(principal);
  return awsCall("Listing your configured tables", async () => {
    const views: ConfiguredTableView[] = [];
    let nextToken: string | undefined;
    do {
      const page = await clients.cleanrooms.send(new ListConfiguredTablesCommand({ nextToken }));
      for (const summary of page.configuredTableSummaries ?? []) {
        const { configuredTable } = await clients.cleanrooms.send(new GetConfiguredTableCommand({ configuredTableIdentifier: summary.id! }));
        views.push(viewOf(configuredTable!, await ruleOf(clients, configuredTable!)));
      }
      nextToken = page.nextToken;
    } while (nextToken);
    return views.sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** One configured table of the organization, or null (another organization's is not found either). */
export async function getConfiguredTable(principal: AwsPrincipal, id: string): Promise<ConfiguredTableView | null> {
  if (!/^[\da-f-]{36}$/.test(id)) return null;
  const clients = await awsClientsFor(principal);
  return awsCall("Reading the configured table", async () => {
    const found = await clients.cleanrooms.send(new GetConfiguredTableCommand({ configuredTableIdentifier: id })).catch((error: unknown) => {
      if (isAwsError(error, "ResourceNotFoundException")) return null;
      throw error;
    });
    return found?.configuredTable ? viewOf(found.configuredTable, await ruleOf(clients, found.configuredTable)) : null;
  });
}

export async function createConfiguredTable(principal: AwsPrincipal, input: { name: string; description?: string; dataset: string; columns: string[] }): Promise<string> {
  const dataset = await getDataset(principal, input.dataset);
  if (!dataset) throw new AppError("invalid", `There is no dataset "${input.dataset}".`, { dataset: ["Choose one of your datasets."] });
  if (!dataset.columns.length)
    throw new AppError("invalid", `"${input.dataset}" has not been catalogued yet; wait for its crawl to finish.`, { dataset: ["The dataset has no catalogued columns yet."] });
  if (!input.columns.length) throw new AppError("invalid", "Choose at least one column.", { columns: ["Choose the columns partners may use."] });
  const clients = await awsClientsFor(principal);
  const { configuredTable } = await awsCall(
    "Creating the configured table",
    () =>
      clients.cleanrooms.send(
        new CreateConfiguredTableCommand({
          name: input.name,
          description: input.description || undefined,
          tableReference: { glue: { databaseName: DATABASE, tableName: dataset.name } },
          allowedColumns: input.columns,
          analysisMethod: "DIRECT_QUERY",
        }),
      ),
    tableFields,
  );
  return configuredTable!.id!;
}

/**
 * Sets the table's analysis rule: updated in place when the type is unchanged, otherwise the old
 * rule is replaced (a configured table has one rule). The API validates the rule against the
 * table's columns; its messages come back beside the fields they concern.
 */
export async function saveAnalysisRule(principal: AwsPrincipal, id: string, rule: TableRule): Promise<void> {
  const table = await getConfiguredTable(principal, id);
  if (!table) throw new AppError("not_found", "That configured table does not exist.");
  const clients = await awsClientsFor(principal);
  const analysisRulePolicy = apiPolicyOf(rule);
  await awsCall(
    "Saving the analysis rule",
    async () => {
      if (table.rule?.type === rule.type) {
        await clients.cleanrooms.send(new UpdateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: id, analysisRuleType: rule.type, analysisRulePolicy }));
        return;
      }
      const previous = table.rule;
      if (previous) await clients.cleanrooms.send(new DeleteConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: id, analysisRuleType: previous.type }));
      try {
        await clients.cleanrooms.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: id, analysisRuleType: rule.type, analysisRulePolicy }));
      } catch (error) {
        // The new rule was refused: put the old one back, so the table is never left unguarded.
        if (previous) {
          await clients.cleanrooms.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: id, analysisRuleType: previous.type, analysisRulePolicy: apiPolicyOf(previous) }));
        }
        throw error;
      }
    },
    ruleFields,
  );
}

export async function deleteConfiguredTable(principal: AwsPrincipal, id: string): Promise<void> {
  const clients = await awsClientsFor(principal);
  await awsCall("Deleting the configured table", () => clients.cleanrooms.send(new DeleteConfiguredTableCommand({ configuredTableIdentifier: id })));
}
