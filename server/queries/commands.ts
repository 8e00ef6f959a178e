import { z } from "zod";
import { defineCommand } from "@/server/auth/action";
import { cancelQuery, startQuery } from "./queries";

/** The SQL an analyst may submit (the check as you type reads the same). */
export const querySql = z.string().trim().min(1, "Write a query first.").max(90_000, "A query may be at most 90,000 characters.");

// The workbench's server actions. Starting a query is a command like any other: the session, the
// permission and the input are checked, and the attempt goes to the audit log.
export const runQueryCommand = defineCommand({
  action: "queries.run",
  permission: "queries.run",
  schema: z.object({ collaborationId: z.string().min(1), sql: querySql }),
  target: (input) => String(input.collaborationId ?? ""),
  async run({ collaborationId, sql }, actor) {
    const id = await startQuery(actor, collaborationId, sql);
    return { message: "The query was accepted and is running.", data: { id } };
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
