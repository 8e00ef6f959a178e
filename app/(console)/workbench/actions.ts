"use server";

import type { FormState } from "@/lib/form-state";
import { readAction, submitForm, type ReadResult } from "@/server/auth/action";
import type { PrivacyBudgetView } from "@/lib/privacy";
import { readPrivacyBudget } from "@/server/collaborations/privacy-budget";
import { checkQuery, type QueryCheck } from "@/server/queries/check";
import { cancelQueryCommand, querySql, runQueryCommand, runTemplateCommand } from "@/server/queries/commands";
import { publishQuickSightCommand } from "@/server/quicksight/commands";

export async function runQuery(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(runQueryCommand, formData);
}

export async function runTemplate(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(runTemplateCommand, formData);
}

export async function cancelRunningQuery(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(cancelQueryCommand, formData);
}

/** The rules' verdict on the SQL in the editor, as the engine would give it; changes nothing. */
export async function checkSql(collaborationId: string, sql: string): Promise<ReadResult<QueryCheck>> {
  return readAction("queries.run", async (actor) => {
    const parsed = querySql.safeParse(sql);
    if (!parsed.success) return { verdict: "refused", message: parsed.error.issues[0]!.message };
    // The text as the editor holds it (not trimmed), so positions match the editor's.
    return checkQuery(actor, String(collaborationId), sql);
  });
}

/** What is left of the collaboration's privacy budget, read again after each query. */
export async function readBudget(collaborationId: string): Promise<ReadResult<PrivacyBudgetView | null>> {
  return readAction("queries.run", (actor) => readPrivacyBudget(actor, String(collaborationId)));
}

export async function publishQuickSight(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(publishQuickSightCommand, formData);
}
