"use client";

import { useActionState, useState } from "react";
import { createConfiguredTable } from "@/app/(console)/configured-tables/actions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import type { DatasetColumn } from "@/lib/datasets";
import { idleState } from "@/lib/form-state";

/** Pick a catalogued dataset, tick the columns partners may use, and name the configured table. */
export function CreateConfiguredTableForm({ datasets }: { datasets: { name: string; columns: DatasetColumn[] }[] }) {
  const [state, formAction, pending] = useActionState(createConfiguredTable, idleState);
  const [datasetName, setDatasetName] = useState(state.values?.dataset ?? datasets[0]?.name ?? "");
  const dataset = datasets.find((d) => d.name === datasetName);
  return (
    <form action={formAction} className="space-y-4" noValidate aria-label="Configure a table">
      <FormMessage state={state} />
      <Field id="ct-dataset" label="Dataset" errors={state.fieldErrors?.dataset}>
        {(aria) => (
          <Select {...aria} name="dataset" value={datasetName} onChange={(e) => setDatasetName(e.target.value)}>
            {datasets.map((d) => (
              <option key={d.name} value={d.name}>
                {d.name}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <fieldset className="space-y-2" aria-describedby={state.fieldErrors?.columns ? "ct-columns-error" : undefined}>
        <legend className="text-sm font-medium text-slate-700">Columns partners may use</legend>
        <p className="text-xs text-slate-500">Columns you leave out can never be named in a query, not even by you through a collaboration.</p>
        <div className="grid gap-1 sm:grid-cols-2" key={datasetName}>
          {dataset?.columns.map((column) => (
            <label key={column.name} className="flex items-center gap-2 rounded px-2 py-1 text-sm hover:bg-slate-50">
              <input type="checkbox" name="columns" value={column.name} className="h-4 w-4" />
              <span className="font-mono">{column.name}</span>
              <span className="text-xs text-slate-500">{column.type}</span>
            </label>
          ))}
        </div>
        {state.fieldErrors?.columns && (
          <p id="ct-columns-error" className="text-sm text-red-600">
            {state.fieldErrors.columns.join(" ")}
          </p>
        )}
      </fieldset>
      <Field id="ct-name" label="Name" errors={state.fieldErrors?.name}>
        {(aria) => <Input {...aria} name="name" key={`name-${datasetName}`} defaultValue={state.values?.name ?? datasetName} required />}
      </Field>
      <Field id="ct-description" label="Description (optional)" errors={state.fieldErrors?.description}>
        {(aria) => <Input {...aria} name="description" defaultValue={state.values?.description} />}
      </Field>
      <Button type="submit" disabled={pending || !dataset}>
        {pending ? "Creating…" : "Create configured table"}
      </Button>
    </form>
  );
}
