"use server";

import { redirect } from "next/navigation";
import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import { crawlDatasetCommand, deleteDatasetCommand } from "@/server/datasets/commands";

export async function deleteDataset(_prev: FormState, formData: FormData): Promise<FormState> {
  const state = await submitForm(deleteDatasetCommand, formData);
  if (state.status === "success") redirect("/datasets");
  return state;
}

export async function crawlDataset(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(crawlDatasetCommand, formData);
}
