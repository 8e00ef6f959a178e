"use server";

import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import { crawlDatasetCommand, deleteDatasetCommand } from "@/server/datasets/commands";

export async function deleteDataset(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(deleteDatasetCommand, formData);
}

export async function crawlDataset(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(crawlDatasetCommand, formData);
}
