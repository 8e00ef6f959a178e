"use server";

import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import { addUserCommand, changeRoleCommand, deactivateUserCommand, reactivateUserCommand } from "@/server/users/commands";

export async function addUser(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(addUserCommand, formData);
}

export async function changeRole(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(changeRoleCommand, formData);
}

export async function deactivateUser(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(deactivateUserCommand, formData);
}

export async function reactivateUser(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(reactivateUserCommand, formData);
}
