import { z } from "zod";
import { AppError } from "@/lib/errors";
import { tableRule } from "@/lib/analysis-rules";
import { jsonField } from "@/lib/json-field";
import { defineCommand } from "@/server/auth/action";
import { createConfiguredTable, deleteConfiguredTable, saveAnalysisRule } from "./configured-tables";

// The configured-table pages' server actions: each names its permission and parses its input;
// the API (AWS's or the local cloud's) makes the final checks.
const tableName = z.string().trim().min(1, "Give the configured table a name.").max(128, "Use at most 128 characters.");

export const createConfiguredTableCommand = defineCommand({
  action: "configuredTables.create",
  permission: "configuredTables.manage",
  schema: z.object({
    name: tableName,
    description: z.string().trim().max(255, "Use at most 255 characters.").optional(),
    dataset: z.string().min(1, "Choose a dataset."),
    columns: z.array(z.string()).min(1, "Choose the columns partners may use."),
  }),
  async run(input, actor) {
    const id = await createConfiguredTable(actor, input);
    return { message: `Created ${input.name}. Now choose the analysis rule that guards it.`, redirectTo: `/configured-tables/${id}` };
  },
  revalidate: ["/configured-tables"],
});

export const saveAnalysisRuleCommand = defineCommand({
  action: "configuredTables.saveRule",
  permission: "configuredTables.manage",
  schema: z.object({ id: z.string().min(1), rule: z.string().min(1) }),
  async run({ id, rule }, actor) {
    const parsed = tableRule.safeParse(jsonField(rule));
    if (!parsed.success) throw new AppError("invalid", "The rule is not complete; check the highlighted fields.");
    await saveAnalysisRule(actor, id, parsed.data);
    return `Saved the ${parsed.data.type.toLowerCase()} rule. Partners see the table under this rule from their next query.`;
  },
  revalidate: ["/configured-tables"],
});

export const deleteConfiguredTableCommand = defineCommand({
  action: "configuredTables.delete",
  permission: "configuredTables.manage",
  schema: z.object({ id: z.string().min(1), name: z.string() }),
  async run({ id, name }, actor) {
    await deleteConfiguredTable(actor, id);
    return { message: `Deleted ${name}.`, redirectTo: "/configured-tables" };
  },
  revalidate: ["/configured-tables"],
});
