"use server";

import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import { createConfiguredTableCommand, deleteConfiguredTableCommand, saveAnalysisRuleCommand } from "@/server/configured-tables/commands";

export async function createConfiguredTable(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(createConfiguredTableCommand, formData, { lists: ["columns"] });
}

export async function saveAnalysisRule(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(saveAnalysisRuleCommand, formData);
}

export async function deleteConfiguredTable(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(deleteConfiguredTableCommand, formData);
}
