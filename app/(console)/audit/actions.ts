"use server";

import type { FormState } from "@/lib/form-state";
import { verifyAuditCommand } from "@/server/audit/commands";
import { submitForm } from "@/server/auth/action";

export async function verifyAuditChain(_prev: FormState, formData: FormData): Promise<FormState> {
  return submitForm(verifyAuditCommand, formData);
}
