"use server";

import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import { addMemberCommand, changeRoleCommand, deactivateMemberCommand, reactivateMemberCommand } from "@/server/members/commands";

export async function addMember(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(addMemberCommand, formData);
}

export async function changeRole(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(changeRoleCommand, formData);
}

export async function deactivateMember(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(deactivateMemberCommand, formData);
}

export async function reactivateMember(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(reactivateMemberCommand, formData);
}
