import "server-only";
import { AppError } from "@/lib/errors";
import type { Actor } from "@/server/auth/actor";
import { awsClientsFor } from "@/server/aws/clients";
import { awsCall } from "@/server/aws/errors";
import { schemasOf } from "@/server/collaborations/collaborations";
import type { QueryCatalog } from "@/server/engine/sql/catalog";
import { QueryRefusal, validateQuery } from "@/server/engine/sql/validate";

// The workbench's check as you type: the engine's own validator, run in the console on what this
// member sees of the collaboration through the Clean Rooms API (schemas and their analysis
// rules), so it works the same against the local cloud and against AWS, and tells the analyst
// before Run what StartProtectedQuery would answer.

export type QueryCheck = { verdict: "allowed"; message: string } | { verdict: "refused"; message: string; position?: number };

const ruleNames = { AGGREGATION: "aggregation", LIST: "list", CUSTOM: "custom" } as const;

/** The catalog the engine would validate this member's queries against, read through the API. */
export async function catalogOf(actor: Actor, collaborationId: string): Promise<QueryCatalog> {
  if (!/^[\da-f-]{36}$/.test(collaborationId)) throw new AppError("not_found", "There is no such collaboration.");
  const clients = await awsClientsFor(actor);
  const tables = await awsCall("Reading the collaboration's tables", () => schemasOf(clients, collaborationId));
  return {
    tables: tables.map(({ name, ownerAccountId, columns, rule, resultReceivers }) => ({ name, ownerAccountId, columns, rule, ...(resultReceivers ? { resultReceivers } : {}) })),
    runnerAccountId: clients.accountId,
  };
}

export async function checkQuery(actor: Actor, collaborationId: string, sql: string): Promise<QueryCheck> {
  const catalog = await catalogOf(actor, collaborationId);
  try {
    const { ruleType } = await validateQuery(sql, catalog);
    return { verdict: "allowed", message: `The ${ruleNames[ruleType]} rules of the tables it reads allow this query.` };
  } catch (error) {
    if (!(error instanceof QueryRefusal)) throw error;
    return { verdict: "refused", message: error.message, ...(error.position !== undefined ? { position: error.position } : {}) };
  }
}
