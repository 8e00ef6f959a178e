"use client";

import { useActionState } from "react";
import { setSuggestedQuery } from "@/app/(console)/collaborations/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/** The query this organization's analysts find in the workbench's editor for the collaboration. */
export function SuggestedQueryForm({ id, sql }: { id: string; sql: string | null }) {
  const [state, action, pending] = useActionState(setSuggestedQuery, idleState);
  return (
    <form action={action} className="space-y-3" aria-label="Suggested query" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="id" value={id} />
      <Field id="suggested-sql" label="SQL (leave empty for none)" errors={state.fieldErrors?.sql}>
        {(aria) => (
          <textarea
            {...aria}
            name="sql"
            rows={5}
            defaultValue={state.values?.sql ?? sql ?? ""}
            className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500"
          />
        )}
      </Field>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Saving…" : "Save query"}
      </Button>
    </form>
  );
}
