"use client";

import { useActionState } from "react";
import { joinCollaboration } from "@/app/(console)/collaborations/actions";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/** Accepts an invitation: creates the organization's membership. */
export function JoinForm({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(joinCollaboration, idleState);
  return (
    <form action={action} className="space-y-2">
      <FormMessage state={state} />
      <input type="hidden" name="id" value={id} />
      <Button type="submit" disabled={pending} aria-label={`Join ${name}`}>
        {pending ? "Joining…" : "Join"}
      </Button>
    </form>
  );
}
