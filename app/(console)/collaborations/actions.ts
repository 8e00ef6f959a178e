"use server";

import type { FormState } from "@/lib/form-state";
import { readAction, submitForm, type ReadResult } from "@/server/auth/action";
import { previewPrivacyImpact } from "@/server/collaborations/privacy-budget";
import {
  associateTableCommand,
  createCollaborationCommand,
  deleteCollaborationCommand,
  joinCollaborationCommand,
  leaveCollaborationCommand,
  removeAssociationCommand,
  setDashboardCommand,
  setPrivacyBudgetCommand,
  setSuggestedQueryCommand,
} from "@/server/collaborations/commands";

export async function createCollaboration(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(createCollaborationCommand, formData);
}

export async function joinCollaboration(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(joinCollaborationCommand, formData);
}

export async function associateTable(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(associateTableCommand, formData, { lists: ["resultReceivers"] });
}

export async function removeAssociation(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(removeAssociationCommand, formData);
}

export async function leaveCollaboration(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(leaveCollaborationCommand, formData);
}

export async function deleteCollaboration(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(deleteCollaborationCommand, formData);
}

export async function setDashboard(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(setDashboardCommand, formData);
}

export async function setSuggestedQuery(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(setSuggestedQueryCommand, formData);
}

export async function setPrivacyBudget(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(setPrivacyBudgetCommand, formData);
}

/** How many aggregations of each type a budget with these settings allows (PreviewPrivacyImpact); changes nothing. */
export async function previewBudget(collaborationId: string, epsilon: number, usersNoisePerQuery: number): Promise<ReadResult<{ type: string; maxCount: number }[]>> {
  return readAction("collaborations.manage", async (actor) => {
    const e = Number(epsilon);
    const n = Number(usersNoisePerQuery);
    if (!Number.isInteger(e) || e < 1 || e > 20 || !Number.isInteger(n) || n < 10 || n > 100) return [];
    return previewPrivacyImpact(actor, String(collaborationId), e, n);
  });
}
