"use server";

import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import { cancelQueryCommand, runQueryCommand } from "@/server/queries/commands";

export async function runQuery(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(runQueryCommand, formData);
}

export async function cancelRunningQuery(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(cancelQueryCommand, formData);
}
