"use client";

import { pollDelay, type PollingPace } from "@/lib/polling";
import { useQuery } from "@tanstack/react-query";
import dynamic from "next/dynamic";
import { useActionState, useCallback, useEffect, useRef, useState } from "react";
import { cancelRunningQuery, checkSql, readBudget, runQuery, runTemplate } from "@/app/(console)/workbench/actions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import type { CollaborationDetail } from "@/lib/collaborations";
import { idleState } from "@/lib/form-state";
import type { PrivacyBudgetView, QueryPrivacyCost, SensitivityParameter } from "@/lib/privacy";
import { BudgetPanel, QueryCostView, ResultNoise } from "@/components/privacy/privacy-panel";
import { loadResultChart, ResultView } from "./result-view";
import type { Underline } from "./sql-editor";

const SqlEditor = dynamic(() => import("./sql-editor"), {
  ssr: false,
  loading: () => <div className="h-[220px] rounded-md border border-slate-300 bg-slate-50" aria-hidden />,
});

const finals = ["SUCCESS", "FAILED", "CANCELLED", "TIMED_OUT"];
type QueryState = {
  id: string;
  status: string;
  error: string | null;
  durationMs: number | null;
  privacy: {
    usersNoisePerQuery: number;
    sensitivityParameters: SensitivityParameter[];
  } | null;
};
type Result = { columns: string[]; rows: string[][]; truncated: boolean };

async function json<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = (await response.json()) as T & { error?: { message: string } };
  if (!response.ok) throw new Error(body.error?.message ?? `status ${response.status}`);
  return body;
}

/**
 * Write SQL, run it as your organization, follow its status live, and see the result as a chart
 * and a table. Running goes through a server action (which Clean Rooms' rules then judge); the
 * status and the result are polled from the console's routes.
 */
export function Workbench({
  collaborationId,
  schema,
  canQuery,
  cannotQueryReason,
  initialSql,
  dashboardUrl,
  templates,
  initialTemplate,
  privacyBudget,
  pace,
}: {
  collaborationId: string;
  schema: Record<string, string[]>;
  canQuery: boolean;
  cannotQueryReason: string;
  initialSql: string;
  dashboardUrl: string | null;
  templates: CollaborationDetail["templates"];
  /** A template to open with the values it ran with (re-opening an earlier query of it). */
  initialTemplate?: { arn: string; values: Record<string, string> };
  /** The collaboration's privacy budget, when it has one (its tables use differential privacy). */
  privacyBudget: PrivacyBudgetView | null;
  /** How often to ask about a running query: the local cloud's pace or AWS's. */
  pace: PollingPace;
}) {
  const [sql, setSql] = useState(initialSql);
  const lastSql = useRef(initialSql);
  const [sqlState, runSql, runningSql] = useActionState(runQuery, idleState);
  const [templateState, runTemplateForm, runningTemplate] = useActionState(runTemplate, idleState);
  const [cancelState, cancel, cancelling] = useActionState(cancelRunningQuery, idleState);
  // What the analyst runs: their own SQL (""), or one of the collaboration's templates (its ARN).
  const [source, setSource] = useState(initialTemplate?.arn ?? "");
  const template = templates.find((t) => t.arn === source);
  const [lastRun, setLastRun] = useState<"sql" | "template">("sql");
  // Controlled, so that what ran stays on screen: React resets a form's own fields after its action.
  const [resultFormat, setResultFormat] = useState<"CSV" | "PARQUET">("CSV");
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(initialTemplate?.values ?? {}).map(([name, value]) => [`${initialTemplate!.arn}/${name}`, value])),
  );
  const valueOf = (p: { name: string; defaultValue?: string }) => values[`${source}/${p.name}`] ?? p.defaultValue ?? "";
  const state = lastRun === "sql" ? sqlState : templateState;
  const running = runningSql || runningTemplate;
  const form = useRef<HTMLFormElement>(null);
  const queryId = state.status === "success" ? state.data?.id : undefined;
  const [startedAt, setStartedAt] = useState(0);
  const [verdict, setVerdict] = useState<{ allowed: boolean; message: string; privacy?: QueryPrivacyCost } | null>(null);
  const latestCheck = useRef(0);

  // The rules' verdict as you type (the editor calls this after a pause): shown under the editor,
  // and underlined in it where the engine says. Only the latest check's answer is shown.
  const check = useCallback(
    async (text: string): Promise<Underline | null> => {
      const ticket = ++latestCheck.current;
      if (!text.trim()) {
        setVerdict(null);
        return null;
      }
      const answer = await checkSql(collaborationId, text).catch(() => ({ ok: false as const, message: "The query could not be checked just now." }));
      if (ticket !== latestCheck.current) return null;
      if (!answer.ok) {
        setVerdict({ allowed: false, message: answer.message });
        return null;
      }
      setVerdict(answer.value.verdict === "allowed" ? { allowed: true, message: answer.value.message, privacy: answer.value.privacy } : { allowed: false, message: answer.value.message });
      return answer.value.verdict === "refused" && answer.value.position !== undefined ? { position: answer.value.position, message: answer.value.message } : null;
    },
    [collaborationId],
  );
  const [now, setNow] = useState(0);

  const status = useQuery({
    queryKey: ["query", queryId],
    queryFn: () => json<{ query: QueryState }>(`/api/queries?id=${encodeURIComponent(queryId!)}`).then((r) => r.query),
    enabled: !!queryId,
    // Quick at first, when most queries end, then backing off: a long query is not polled hard,
    // and a throttled or failed answer makes the next question wait longer (lib/polling.ts).
    refetchInterval: (query) => {
      if (query.state.data && finals.includes(query.state.data.status)) return false;
      return pollDelay(pace, Date.now() - startedAt, query.state.fetchFailureCount);
    },
    retry: false,
  });
  const done = status.data && finals.includes(status.data.status);
  const result = useQuery({
    queryKey: ["result", queryId],
    queryFn: () => json<Result>(`/api/queries/result?id=${encodeURIComponent(queryId!)}`),
    enabled: !!queryId && status.data?.status === "SUCCESS",
    staleTime: Infinity,
  });

  // What is left of the privacy budget: read again whenever a query ends, since it may have spent.
  const endedQuery = done ? queryId : null;
  const budget = useQuery({
    queryKey: ["budget", collaborationId, endedQuery],
    queryFn: async () => {
      const read = await readBudget(collaborationId);
      // What is left changed: the editor's query is checked again against it.
      if (endedQuery && lastSql.current.trim()) void check(lastSql.current);
      return read.ok ? read.value : null;
    },
    initialData: privacyBudget,
    enabled: privacyBudget !== null,
    staleTime: 0,
  });

  // The chart's code is not part of the page's first load; fetch it while the analyst writes SQL,
  // so the first result is drawn without waiting for it.
  useEffect(() => {
    void loadResultChart();
  }, []);

  // The clock ticks while the query runs; it started when Run was pressed.
  useEffect(() => {
    if (!queryId || done) return;
    const timer = setInterval(() => setNow(Date.now()), 200);
    return () => clearInterval(timer);
  }, [queryId, done]);

  const submit = useCallback(() => form.current?.requestSubmit(), []);
  // Clean Rooms would refuse a query the budget cannot cover; the workbench says so before.
  const overBudget = !template && !!verdict?.privacy?.exceedsBudget;
  const runBar = {
    canQuery: canQuery && !overBudget,
    cannotQueryReason: overBudget ? "The privacy budget left cannot cover this query: it would be refused." : cannotQueryReason,
    running,
    resultFormat,
    onResultFormat: setResultFormat,
  };
  const elapsed = Math.max(0, now - startedAt);
  const seconds = ((done && status.data?.durationMs != null ? status.data.durationMs : elapsed) / 1000).toFixed(1);

  return (
    <div className="min-w-0 space-y-4">
      {budget.data && <BudgetPanel budget={budget.data} />}
      {templates.length > 0 && (
        <Field id="query-source" label="Run">
          {(aria) => (
            <Select {...aria} value={source} onChange={(e) => setSource(e.target.value)}>
              <option value="">Your own SQL</option>
              {templates.map((t) => (
                <option key={t.arn} value={t.arn}>
                  Analysis template: {t.name}
                </option>
              ))}
            </Select>
          )}
        </Field>
      )}
      {template ? (
        <form
          key={template.arn}
          action={runTemplateForm}
          onSubmit={() => {
            setLastRun("template");
            setStartedAt(Date.now());
            setNow(Date.now());
          }}
          className="space-y-3"
          aria-label="Analysis template"
        >
          <input type="hidden" name="collaborationId" value={collaborationId} />
          <input type="hidden" name="templateArn" value={template.arn} />
          {template.description && <p className="text-sm text-slate-700">{template.description}</p>}
          <pre className="max-h-56 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-3 text-xs" aria-label="The template's SQL">
            {template.sql}
          </pre>
          {template.parameters.length > 0 && (
            <fieldset className="grid gap-3 sm:grid-cols-2">
              <legend className="mb-1 text-sm font-medium text-slate-700">Parameters</legend>
              {template.parameters.map((p) => (
                <Field key={p.name} id={`parameter-${p.name}`} label={`${p.name} (${p.type.toLowerCase()})`} errors={templateState.fieldErrors?.[`parameter.${p.name}`]}>
                  {(aria) => (
                    <Input
                      {...aria}
                      name={`parameter.${p.name}`}
                      value={valueOf(p)}
                      onChange={(e) => setValues((v) => ({ ...v, [`${template.arn}/${p.name}`]: e.target.value }))}
                      placeholder={p.defaultValue === undefined ? "required" : ""}
                    />
                  )}
                </Field>
              ))}
            </fieldset>
          )}
          <RunBar {...runBar} label="Run template" hint="Values are bound to the template's parameters; the SQL itself does not change." />
          {templateState.status === "error" && <FormMessage state={templateState} />}
        </form>
      ) : (
        <form
          ref={form}
          action={runSql}
          onSubmit={() => {
            setLastRun("sql");
            setStartedAt(Date.now());
            setNow(Date.now());
          }}
          className="space-y-3"
          aria-label="Query"
        >
          <input type="hidden" name="collaborationId" value={collaborationId} />
          <input type="hidden" name="sql" value={sql} />
          <SqlEditor
            value={sql}
            onChange={(text) => {
              lastSql.current = text;
              setSql(text);
            }}
            onRun={submit}
            schema={schema}
            check={check}
          />
          {verdict && (
            <p data-testid="query-check" role="status" aria-live="polite" className={`text-sm ${verdict.allowed ? "text-emerald-800" : "text-red-700"}`}>
              <span aria-hidden>{verdict.allowed ? "✓ " : "✗ "}</span>
              {verdict.message}
            </p>
          )}
          {verdict?.privacy && <QueryCostView cost={verdict.privacy} />}
          <RunBar {...runBar} label="Run" hint="Ctrl+Enter (⌘+Enter) runs the query." />
          {sqlState.status === "error" && <FormMessage state={sqlState} />}
        </form>
      )}

      {queryId && status.data && (
        <div className="flex flex-wrap items-center gap-3 rounded-md border border-slate-200 bg-white px-3 py-2 text-sm" role="status" aria-live="polite">
          <span>
            Status: <strong data-testid="query-status">{status.data.status}</strong> · {seconds} s
          </span>
          {!done && (
            <form action={cancel}>
              <input type="hidden" name="id" value={queryId} />
              <Button type="submit" variant="secondary" disabled={cancelling} className="px-2 py-1">
                Cancel
              </Button>
            </form>
          )}
          {status.data.error && <span className="text-red-700">{status.data.error}</span>}
        </div>
      )}
      {cancelState.status === "error" && <FormMessage state={cancelState} />}
      {result.data && dashboardUrl && (
        <p className="text-sm">
          <a href={dashboardUrl} target="_blank" rel="noopener noreferrer" className="text-brand-700 underline">
            Open in QuickSight
          </a>
        </p>
      )}
      {result.data && status.data?.privacy && status.data.privacy.sensitivityParameters.length > 0 && (
        <ResultNoise privacy={status.data.privacy} grouped={result.data.columns.length > status.data.privacy.sensitivityParameters.length} />
      )}
      {result.data && (
        <ResultView
          columns={result.data.columns}
          rows={result.data.rows}
          truncated={result.data.truncated}
          downloadHref={`/api/queries/result?id=${encodeURIComponent(queryId!)}&format=csv`}
          publishQueryId={canQuery ? queryId! : undefined}
        />
      )}
      {result.error && <p className="text-sm text-red-700">{(result.error as Error).message}</p>}
    </div>
  );
}

/** Run, the result format, and why Run is disabled when it is. */
function RunBar({
  canQuery,
  cannotQueryReason,
  running,
  label,
  hint,
  resultFormat,
  onResultFormat,
}: {
  canQuery: boolean;
  cannotQueryReason: string;
  running: boolean;
  label: string;
  hint: string;
  resultFormat: "CSV" | "PARQUET";
  onResultFormat: (format: "CSV" | "PARQUET") => void;
}) {
  return (
    <div className="flex flex-wrap items-center gap-3">
      <Button type="submit" disabled={!canQuery || running} title={canQuery ? label : cannotQueryReason}>
        {running ? "Starting…" : label}
      </Button>
      <label className="flex items-center gap-2 text-sm text-slate-700">
        Result as
        <select
          name="resultFormat"
          value={resultFormat}
          onChange={(e) => onResultFormat(e.target.value as "CSV" | "PARQUET")}
          className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm"
        >
          <option value="CSV">CSV</option>
          <option value="PARQUET">Parquet</option>
        </select>
      </label>
      <span className="text-xs text-slate-600">{canQuery ? hint : cannotQueryReason}</span>
    </div>
  );
}
