"use client";

import { useActionState, useState } from "react";
import { deleteConfiguredTable } from "@/app/(console)/configured-tables/actions";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/** Delete, after a confirmation step that says what it means for collaborations. */
export function DeleteConfiguredTable({ id, name }: { id: string; name: string }) {
  const [state, action, pending] = useActionState(deleteConfiguredTable, idleState);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="space-y-2">
      <FormMessage state={state} />
      {!confirming ? (
        <Button type="button" variant="danger" onClick={() => setConfirming(true)}>
          Delete configured table
        </Button>
      ) : (
        <form action={action} className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2" aria-label="Confirm deletion">
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="name" value={name} />
          <span className="text-sm text-red-800">Delete {name}? Collaborations it is associated with lose it. The dataset itself stays.</span>
          <Button type="submit" variant="danger" disabled={pending}>
            {pending ? "Deleting…" : "Yes, delete"}
          </Button>
          <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
            Keep it
          </Button>
        </form>
      )}
    </div>
  );
}
