import { z } from "zod";
import { defineCommand } from "@/server/auth/action";
import { cancelQuery, startQuery, startTemplateQuery } from "./queries";

const resultFormat = z.enum(["CSV", "PARQUET"], "Choose CSV or Parquet.").default("CSV");

/** The SQL an analyst may submit (the check as you type reads the same). */
export const querySql = z.string().trim().min(1, "Write a query first.").max(90_000, "A query may be at most 90,000 characters.");

// The workbench's server actions. Starting a query is a command like any other: the session, the
// permission and the input are checked, and the attempt goes to the audit log.
export const runQueryCommand = defineCommand({
  action: "queries.run",
  permission: "queries.run",
  schema: z.object({ collaborationId: z.string().min(1), sql: querySql, resultFormat }),
  target: (input) => String(input.collaborationId ?? ""),
  async run({ collaborationId, sql, resultFormat }, actor) {
    const id = await startQuery(actor, collaborationId, sql, resultFormat);
    return { message: "The query was accepted and is running.", data: { id } };
  },
});

/** Runs an analysis template; its form sends each parameter as `parameter.<name>`. */
export const runTemplateCommand = defineCommand({
  action: "queries.runTemplate",
  permission: "queries.run",
  schema: z.looseObject({ collaborationId: z.string().min(1), templateArn: z.string().min(1, "Choose a template.").max(200), resultFormat }),
  target: (input) => String(input.templateArn ?? ""),
  async run(input, actor) {
    const parameters: Record<string, string> = {};
    for (const [key, value] of Object.entries(input)) {
      if (key.startsWith("parameter.") && typeof value === "string") parameters[key.slice("parameter.".length)] = value.slice(0, 1000);
    }
    const id = await startTemplateQuery(actor, input.collaborationId, input.templateArn, parameters, input.resultFormat);
    return { message: "The template was accepted and is running.", data: { id } };
  },
});

export const cancelQueryCommand = defineCommand({
  action: "queries.cancel",
  permission: "queries.run",
  schema: z.object({ id: z.string().min(1) }),
  async run({ id }, actor) {
    await cancelQuery(actor, id);
    return "Cancelling the query.";
  },
});
