"use server";

import type { FormState } from "@/lib/form-state";
import { submitForm } from "@/server/auth/action";
import {
  associateTableCommand,
  createCollaborationCommand,
  deleteCollaborationCommand,
  joinCollaborationCommand,
  leaveCollaborationCommand,
  removeAssociationCommand,
  setDashboardCommand,
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
