"use client";

import { useQuery } from "@tanstack/react-query";
import { useActionState, useState } from "react";
import { previewBudget, setPrivacyBudget } from "@/app/(console)/collaborations/actions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";
import { formatNumber } from "@/lib/format";
import { aggregationLabels, type PrivacyBudgetView } from "@/lib/privacy";

/**
 * The collaboration's privacy budget, set by an admin of the member whose tables differential
 * privacy protects, with a live preview (PreviewPrivacyImpact) of how many aggregations of each
 * type the settings allow.
 */
export function PrivacyBudgetForm({ id, budget }: { id: string; budget: PrivacyBudgetView | null }) {
  const [state, action, pending] = useActionState(setPrivacyBudget, idleState);
  const [epsilon, setEpsilon] = useState(String(budget?.epsilon ?? 3));
  const [noise, setNoise] = useState(String(budget?.usersNoisePerQuery ?? 30));
  const [autoRefresh, setAutoRefresh] = useState<"CALENDAR_MONTH" | "NONE">(budget?.autoRefresh ?? "CALENDAR_MONTH");
  const preview = useQuery({
    queryKey: ["privacy-preview", id, epsilon, noise],
    queryFn: () => previewBudget(id, Number(epsilon), Number(noise)).then((r) => (r.ok ? r.value : [])),
    placeholderData: (previous) => previous,
  });
  return (
    <form action={action} className="space-y-3" aria-label="Privacy budget" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="id" value={id} />
      <div className="grid gap-3 sm:grid-cols-3">
        <Field id="budget-epsilon" label="Epsilon (1–20)" errors={state.fieldErrors?.epsilon}>
          {(aria) => <Input {...aria} name="epsilon" type="number" min={1} max={20} step={1} value={epsilon} onChange={(e) => setEpsilon(e.target.value)} />}
        </Field>
        <Field id="budget-noise" label="Users of noise per query (10–100)" errors={state.fieldErrors?.usersNoisePerQuery}>
          {(aria) => <Input {...aria} name="usersNoisePerQuery" type="number" min={10} max={100} step={1} value={noise} onChange={(e) => setNoise(e.target.value)} />}
        </Field>
        <Field id="budget-refresh" label="Refresh" errors={state.fieldErrors?.autoRefresh}>
          {(aria) => (
            <Select {...aria} name="autoRefresh" value={autoRefresh} disabled={!!budget} onChange={(e) => setAutoRefresh(e.target.value as "CALENDAR_MONTH" | "NONE")}>
              <option value="CALENDAR_MONTH">Each calendar month</option>
              <option value="NONE">Never</option>
            </Select>
          )}
        </Field>
      </div>
      {budget && <input type="hidden" name="autoRefresh" value={budget.autoRefresh} />}
      <table className="text-sm" aria-label="Aggregations these settings allow">
        <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <th scope="col" className="pr-6">
              Aggregation
            </th>
            <th scope="col" className="text-right">
              Queries allowed
            </th>
          </tr>
        </thead>
        <tbody>
          {(preview.data ?? []).map((a) => (
            <tr key={a.type} className="border-t border-slate-100">
              <td className="pr-6">{aggregationLabels[a.type] ?? a.type}</td>
              <td className="text-right font-medium" data-testid={`preview-${a.type}`}>
                {formatNumber(a.maxCount)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-slate-600">
        More users of noise per query means noisier answers and more of them; a larger epsilon allows more answers and protects each person less. Each count or sum takes 1/
        {noise || "n"} of epsilon, plus what the engine spends estimating bounds (see the privacy documentation).
      </p>
      {autoRefresh === "CALENDAR_MONTH" && (
        <p role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          The budget refreshes on the 1st of each month (UTC). Each month analysts may spend it again, so over a year they can learn up to twelve times as much about a person as one month&apos;s
          epsilon allows. Choose &ldquo;Never&rdquo; to cap what can ever be learned.
        </p>
      )}
      {budget && <p className="text-xs text-slate-600">Epsilon can be raised but not lowered once queries have spent from the budget; the refresh is fixed when the budget is created.</p>}
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Saving…" : budget ? "Update budget" : "Set budget"}
      </Button>
    </form>
  );
}
