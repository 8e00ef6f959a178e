"use client";

import { useActionState, useMemo, useState, type ReactNode } from "react";
import { saveAnalysisRule } from "@/app/(console)/configured-tables/actions";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { aggregateFunctions, scalarFunctionNames, type AggregateFunction, type AnalysisRuleType, type TableRule } from "@/lib/analysis-rules";
import { idleState } from "@/lib/form-state";
import { draftOf, ruleOfDraft, type ColumnDraft, type JoinOperator, type RuleDraft } from "@/lib/rule-draft";
import { summarizeRule } from "@/lib/rule-summary";

const typeLabels: Record<AnalysisRuleType, { title: string; hint: string }> = {
  AGGREGATION: { title: "Aggregation", hint: "Counts, sums and averages by group, only over groups large enough." },
  LIST: { title: "List", hint: "Values of chosen columns for the rows that overlap with a partner's data." },
  CUSTOM: { title: "Custom", hint: "Queries you approve (analysis templates) or any query by named accounts." },
};
const functionLabels: Record<AggregateFunction, string> = { SUM: "Sum", SUM_DISTINCT: "Sum distinct", COUNT: "Count", COUNT_DISTINCT: "Count distinct", AVG: "Average" };

function Errors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className="text-sm text-red-600">
      {errors.join(" ")}
    </p>
  );
}

function Box({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return <input type="checkbox" aria-label={label} className="h-4 w-4" checked={checked} onChange={(e) => onChange(e.target.checked)} />;
}

function Section({ title, children, errorId, errors }: { title: string; children: ReactNode; errorId: string; errors?: string[] }) {
  return (
    <fieldset className="min-w-0 space-y-2" aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="text-sm font-semibold text-slate-800">{title}</legend>
      {children}
      <Errors id={errorId} errors={errors} />
    </fieldset>
  );
}

/**
 * The analysis rule of a configured table: a form per rule type over the table's allowed columns,
 * checked with the same schemas the API uses as the owner edits, and beside it, in plain words,
 * what partners will and will not be able to learn under the rule as it stands.
 */
export function RuleEditor({ id, columns, rule }: { id: string; columns: { name: string; type: string }[]; rule: TableRule | null }) {
  const allowed = columns.map((c) => c.name);
  const [draft, setDraft] = useState<RuleDraft>(() => draftOf(rule, allowed));
  const [state, formAction, pending] = useActionState(saveAnalysisRule, idleState);
  const [tried, setTried] = useState(false);
  const result = useMemo(() => ruleOfDraft(draft), [draft]);
  const summary = result.ok ? summarizeRule(result.rule, allowed) : null;
  const errors = { ...(tried && !result.ok ? result.fieldErrors : {}), ...(state.status === "error" ? state.fieldErrors : {}) };

  const update = (change: Partial<RuleDraft>) => setDraft((d) => ({ ...d, ...change }));
  const updateColumn = (name: string, change: Partial<ColumnDraft>) => setDraft((d) => ({ ...d, columns: { ...d.columns, [name]: { ...d.columns[name]!, ...change } } }));
  const toggle = <T,>(list: T[], value: T, on: boolean) => (on ? [...list.filter((v) => v !== value), value] : list.filter((v) => v !== value));

  const joinOperators = (
    <Section title="How join columns may be combined" errorId="rule-join-operators-error" errors={errors.allowedJoinOperators}>
      <div className="flex gap-4 text-sm">
        {(["AND", "OR"] as JoinOperator[]).map((op) => (
          <label key={op} className="flex items-center gap-2">
            <input type="checkbox" className="h-4 w-4" checked={draft.joinOperators.includes(op)} onChange={(e) => update({ joinOperators: toggle(draft.joinOperators, op, e.target.checked) })} />
            {op}
          </label>
        ))}
      </div>
    </Section>
  );

  return (
    <div className="grid gap-6 xl:grid-cols-[minmax(0,1fr)_20rem]">
      <form
        action={formAction}
        onSubmit={(e) => {
          setTried(true);
          if (!result.ok) e.preventDefault();
        }}
        className="min-w-0 space-y-6 rounded-lg border border-slate-200 bg-white p-5"
        aria-label="Analysis rule"
        noValidate
      >
        <FormMessage state={state} />
        <input type="hidden" name="id" value={id} />
        <input type="hidden" name="rule" value={result.ok ? JSON.stringify(result.rule) : ""} />
        <fieldset>
          <legend className="text-sm font-semibold text-slate-800">Rule type</legend>
          <div className="mt-2 grid gap-2 sm:grid-cols-3">
            {(Object.keys(typeLabels) as AnalysisRuleType[]).map((type) => (
              <label key={type} className={`cursor-pointer rounded-md border p-3 text-sm ${draft.type === type ? "border-brand-500 bg-brand-50" : "border-slate-200"}`}>
                <span className="flex items-center gap-2 font-medium">
                  <input type="radio" name="type" value={type} checked={draft.type === type} onChange={() => update({ type })} />
                  {typeLabels[type].title}
                </span>
                <span className="mt-1 block text-xs text-slate-600">{typeLabels[type].hint}</span>
              </label>
            ))}
          </div>
        </fieldset>

        {draft.type === "AGGREGATION" && (
          <>
            <Section
              title="Columns"
              errorId="rule-columns-error"
              errors={[...(errors.aggregateColumns ?? []), ...(errors.joinColumns ?? []), ...(errors.dimensionColumns ?? []), ...(errors.outputConstraints ?? [])]}
            >
              <p className="text-xs text-slate-500">
                Join columns match rows with a partner&apos;s table and are never shown. Dimensions are what results are grouped by. Tick the functions partners may apply to a column, and set a
                minimum number of distinct values of a column (for example customers) that every result group must hold.
              </p>
              <div className="overflow-x-auto">
                <table className="min-w-full text-sm">
                  <thead className="text-left text-xs text-slate-500">
                    <tr>
                      <th scope="col" className="py-1 pr-3">
                        Column
                      </th>
                      <th scope="col" className="px-2">
                        Join
                      </th>
                      <th scope="col" className="px-2">
                        Dimension
                      </th>
                      {aggregateFunctions.map((fn) => (
                        <th key={fn} scope="col" className="px-2">
                          {functionLabels[fn]}
                        </th>
                      ))}
                      <th scope="col" className="px-2">
                        Min. per group
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {columns.map(({ name, type }) => {
                      const c = draft.columns[name]!;
                      return (
                        <tr key={name} className="border-t border-slate-100">
                          <th scope="row" className="py-1 pr-3 text-left font-normal">
                            <span className="font-mono">{name}</span> <span className="text-xs text-slate-500">{type}</span>
                          </th>
                          <td className="px-2 text-center">
                            <Box label={`${name}: join column`} checked={c.join} onChange={(join) => updateColumn(name, { join })} />
                          </td>
                          <td className="px-2 text-center">
                            <Box label={`${name}: dimension`} checked={c.dimension} onChange={(dimension) => updateColumn(name, { dimension })} />
                          </td>
                          {aggregateFunctions.map((fn) => (
                            <td key={fn} className="px-2 text-center">
                              <Box
                                label={`${name}: ${functionLabels[fn].toLowerCase()}`}
                                checked={c.functions.includes(fn)}
                                onChange={(on) => updateColumn(name, { functions: toggle(c.functions, fn, on) })}
                              />
                            </td>
                          ))}
                          <td className="px-2">
                            <input
                              type="number"
                              min={2}
                              max={100000}
                              inputMode="numeric"
                              aria-label={`${name}: minimum distinct values per group`}
                              className="w-20 rounded border border-slate-300 px-2 py-1"
                              value={c.minimum}
                              onChange={(e) => updateColumn(name, { minimum: e.target.value })}
                            />
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            </Section>
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" className="h-4 w-4" checked={draft.joinRequired} onChange={(e) => update({ joinRequired: e.target.checked })} />
              Queries must join this table with the querying member&apos;s own data
            </label>
            {joinOperators}
            <Section title="Scalar functions partners may apply" errorId="rule-scalar-error" errors={errors.scalarFunctions}>
              <div className="grid grid-cols-2 gap-1 text-sm sm:grid-cols-4">
                {scalarFunctionNames.map((fn) => (
                  <label key={fn} className="flex items-center gap-2 font-mono text-xs">
                    <input
                      type="checkbox"
                      className="h-4 w-4"
                      checked={draft.scalarFunctions.includes(fn)}
                      onChange={(e) => update({ scalarFunctions: toggle(draft.scalarFunctions, fn, e.target.checked) })}
                    />
                    {fn}
                  </label>
                ))}
              </div>
            </Section>
          </>
        )}

        {draft.type === "LIST" && (
          <>
            <Section title="Columns" errorId="rule-list-columns-error" errors={[...(errors.joinColumns ?? []), ...(errors.listColumns ?? [])]}>
              <table className="text-sm">
                <thead className="text-left text-xs text-slate-500">
                  <tr>
                    <th scope="col" className="py-1 pr-3">
                      Column
                    </th>
                    <th scope="col" className="px-2">
                      Join (match on)
                    </th>
                    <th scope="col" className="px-2">
                      List (may be shown)
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {columns.map(({ name, type }) => (
                    <tr key={name} className="border-t border-slate-100">
                      <th scope="row" className="py-1 pr-3 text-left font-normal">
                        <span className="font-mono">{name}</span> <span className="text-xs text-slate-500">{type}</span>
                      </th>
                      <td className="px-2 text-center">
                        <Box label={`${name}: join column`} checked={draft.columns[name]!.join} onChange={(join) => updateColumn(name, { join })} />
                      </td>
                      <td className="px-2 text-center">
                        <Box label={`${name}: list column`} checked={draft.columns[name]!.list} onChange={(list) => updateColumn(name, { list })} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Section>
            {joinOperators}
          </>
        )}

        {draft.type === "CUSTOM" && (
          <>
            <Section title="Allowed analyses" errorId="rule-analyses-error" errors={[...(errors.allowedAnalyses ?? []), ...(errors.allowedAnalysisProviders ?? [])]}>
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name="analyses" checked={draft.anyQuery} onChange={() => update({ anyQuery: true })} />
                Any query, written by these accounts
              </label>
              {draft.anyQuery && (
                <input
                  aria-label="Accounts that may write queries (12-digit ids, separated by commas)"
                  className="ml-6 block w-full max-w-md rounded border border-slate-300 px-2 py-1 font-mono text-sm"
                  value={draft.providers}
                  placeholder="222222222222"
                  onChange={(e) => update({ providers: e.target.value })}
                />
              )}
              <label className="flex items-center gap-2 text-sm">
                <input type="radio" name="analyses" checked={!draft.anyQuery} onChange={() => update({ anyQuery: false })} />
                Only these analysis templates
              </label>
              {!draft.anyQuery && (
                <textarea
                  aria-label="Analysis template ARNs, one per line"
                  className="ml-6 block w-full rounded border border-slate-300 px-2 py-1 font-mono text-xs"
                  rows={3}
                  value={draft.templates}
                  onChange={(e) => update({ templates: e.target.value })}
                />
              )}
            </Section>
            <Section title="Columns results may never include" errorId="rule-disallowed-error" errors={errors.disallowedOutputColumns}>
              <div className="grid gap-1 sm:grid-cols-2">
                {columns.map(({ name }) => (
                  <label key={name} className="flex items-center gap-2 text-sm">
                    <Box label={`${name}: never in results`} checked={draft.columns[name]!.disallowed} onChange={(disallowed) => updateColumn(name, { disallowed })} />
                    <span className="font-mono">{name}</span>
                  </label>
                ))}
              </div>
            </Section>
            <Section title="Differential privacy" errorId="rule-dp-error" errors={errors.differentialPrivacy}>
              <label className="block text-sm" htmlFor="rule-dp-column">
                The column that identifies one individual (noise then hides whether any individual is in your data)
              </label>
              <Select id="rule-dp-column" value={draft.privacyColumn} onChange={(e) => update({ privacyColumn: e.target.value })}>
                <option value="">No differential privacy</option>
                {columns.map(({ name }) => (
                  <option key={name} value={name}>
                    {name}
                  </option>
                ))}
              </Select>
            </Section>
          </>
        )}

        <Errors id="rule-error" errors={errors.rule} />
        <Button type="submit" disabled={pending}>
          {pending ? "Saving…" : rule ? "Save rule" : "Create rule"}
        </Button>
      </form>

      <aside className="h-fit rounded-lg border border-slate-200 bg-slate-50 p-5 text-sm" aria-label="What partners can learn" aria-live="polite">
        <h2 className="font-semibold text-slate-800">What partners can learn</h2>
        {summary ? (
          <>
            <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700">
              {summary.can.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
            {summary.cannot.length > 0 && (
              <>
                <h3 className="mt-4 font-semibold text-slate-800">What they cannot</h3>
                <ul className="mt-2 list-disc space-y-1 pl-5 text-slate-700">
                  {summary.cannot.map((line) => (
                    <li key={line}>{line}</li>
                  ))}
                </ul>
              </>
            )}
          </>
        ) : (
          <p className="mt-2 text-slate-600">Complete the rule to see what partners will be able to learn.</p>
        )}
      </aside>
    </div>
  );
}
