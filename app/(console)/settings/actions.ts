"use server";

import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import { saveAwsAccessCommand, testAwsConnectionCommand } from "@/server/organizations/commands";

export async function saveAwsAccess(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(saveAwsAccessCommand, formData);
}

export async function testAwsConnection(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(testAwsConnectionCommand, formData);
}
