"use client";

import { useActionState } from "react";
import { verifyAuditChain } from "@/app/(console)/audit/actions";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/** Walks the organization's whole chain on the server and says whether it is intact, or where not. */
export function VerifyAuditForm() {
  const [state, action, pending] = useActionState(verifyAuditChain, idleState);
  return (
    <form action={action} className="space-y-2" aria-label="Verify the audit log">
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Verifying…" : "Verify the chain"}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
