"use client";

import { deleteConfiguredTable } from "@/app/(console)/configured-tables/actions";
import { ConfirmAction } from "@/components/ui/confirm-action";

export function DeleteConfiguredTable({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmAction
      action={deleteConfiguredTable}
      fields={{ id, name }}
      label="Delete configured table"
      question={`Delete ${name}? Collaborations it is associated with lose it. The dataset itself stays.`}
      confirmLabel="Yes, delete"
      pendingLabel="Deleting…"
    />
  );
}
