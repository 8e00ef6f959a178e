"use client";

import { useActionState, useState } from "react";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idleState, type FormState } from "@/lib/form-state";

/**
 * A destructive action behind a confirmation step that says what will happen: the first button
 * only asks; the second submits `fields` to the server action.
 */
export function ConfirmAction({
  action,
  fields,
  label,
  question,
  confirmLabel,
  pendingLabel,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  fields: Record<string, string>;
  label: string;
  question: string;
  confirmLabel: string;
  pendingLabel: string;
}) {
  const [state, formAction, pending] = useActionState(action, idleState);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="space-y-2">
      <FormMessage state={state} />
      {!confirming ? (
        <Button type="button" variant="danger" onClick={() => setConfirming(true)}>
          {label}
        </Button>
      ) : (
        <form action={formAction} className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2" aria-label={`Confirm: ${label}`}>
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          <span className="text-sm text-red-800">{question}</span>
          <Button type="submit" variant="danger" disabled={pending}>
            {pending ? pendingLabel : confirmLabel}
          </Button>
          <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </Button>
        </form>
      )}
    </div>
  );
}
