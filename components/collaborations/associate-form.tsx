"use client";

import { useActionState, useState } from "react";
import { associateTable } from "@/app/(console)/collaborations/actions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/**
 * Adds one of the organization's configured tables to the collaboration, under the name queries
 * use for it, and chooses which members may receive results of queries that read it.
 */
export function AssociateForm({ id, tables, receivers }: { id: string; tables: { id: string; name: string; hasRule: boolean }[]; receivers: { accountId: string; displayName: string }[] }) {
  const [state, action, pending] = useActionState(associateTable, idleState);
  const [tableId, setTableId] = useState(tables[0]?.id ?? "");
  const table = tables.find((t) => t.id === tableId);
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} className="space-y-4" noValidate aria-label="Add a configured table">
      <FormMessage state={state} />
      <input type="hidden" name="id" value={id} />
      <Field id="assoc-table" label="Configured table" errors={errors.configuredTableId}>
        {(aria) => (
          <Select {...aria} name="configuredTableId" value={tableId} onChange={(e) => setTableId(e.target.value)}>
            {tables.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
                {t.hasRule ? "" : " (no rule yet)"}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="assoc-name" label="Name in SQL" errors={errors.name}>
        {(aria) => <Input {...aria} name="name" key={tableId} defaultValue={state.values?.name ?? table?.name ?? ""} />}
      </Field>
      <Field id="assoc-description" label="Description (optional)" errors={errors.description}>
        {(aria) => <Input {...aria} name="description" defaultValue={state.values?.description} />}
      </Field>
      {receivers.length > 0 && (
        <fieldset className="space-y-1">
          <legend className="text-sm font-medium text-slate-700">Members who may receive results of queries on it</legend>
          {receivers.map((r) => (
            <label key={r.accountId} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="resultReceivers" value={r.accountId} defaultChecked className="h-4 w-4" />
              {r.displayName} <span className="text-xs text-slate-500">{r.accountId}</span>
            </label>
          ))}
          {errors.resultReceivers && <p className="text-sm text-red-600">{errors.resultReceivers.join(" ")}</p>}
        </fieldset>
      )}
      <Button type="submit" disabled={pending || !table}>
        {pending ? "Adding…" : "Add table"}
      </Button>
    </form>
  );
}
