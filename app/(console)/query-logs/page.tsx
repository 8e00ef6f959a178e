import type { Metadata } from "next";
import Link from "next/link";
import { FilterForm, FilterInput, FilterSelect } from "@/components/ui/filter-form";
import { PageHeader } from "@/components/ui/page-header";
import { requirePage } from "@/server/auth/session";
import { listCollaborations } from "@/server/collaborations/collaborations";
import { queryLogFilterOf, queryStatuses } from "@/server/queries/log-filter";
import { listQueryLog } from "@/server/queries/queries";
import { spentLabel } from "@/lib/privacy";
import { formatDuration } from "@/lib/format";

export const metadata: Metadata = { title: "Query logs" };

const PAGE = 50;
type Search = Record<string, string | undefined>;

export default async function QueryLogsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requirePage("queryLogs.view", "/query-logs");
  const search = await searchParams;
  const params = new URLSearchParams(Object.entries(search).filter((entry): entry is [string, string] => typeof entry[1] === "string" && entry[1] !== ""));
  const filter = queryLogFilterOf(params);
  const page = Math.max(0, Number(search.page) || 0);
  const [{ queries, total }, collaborations] = await Promise.all([listQueryLog(actor, filter, { offset: page * PAGE, limit: PAGE }), listCollaborations(actor).catch(() => [])]);
  const names = new Map(collaborations.map((c) => [c.id, c.name]));
  const link = (changes: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [key, value] of Object.entries(changes)) next.set(key, value);
    return `/query-logs?${next}`;
  };
  const exportParams = new URLSearchParams(params);
  exportParams.delete("page");
  return (
    <>
      <PageHeader title="Query logs" description={`Every protected query ${actor.orgName}'s users started from the console: who, when, where, what, and how it ended.`}>
        <a href={`/api/query-logs?${exportParams}`} className="self-center text-sm text-brand-700 underline" download>
          Export CSV
        </a>
      </PageHeader>
      <FilterForm label="Filter the query logs" clearHref="/query-logs">
        <FilterSelect label="Status" name="status" defaultValue={filter.status ?? ""} options={[["", "Any"], ...queryStatuses.map((s) => [s, s] as const)]} />
        <FilterInput label="User e-mail" name="user" defaultValue={filter.user} />
        <FilterSelect label="Collaboration" name="collaboration" defaultValue={filter.collaborationId ?? ""} options={[["", "Any"], ...collaborations.map((c) => [c.id, c.name] as const)]} />
        <FilterInput label="From (UTC)" type="date" name="from" defaultValue={search.from} />
        <FilterInput label="To (UTC)" type="date" name="to" defaultValue={search.to} />
        <FilterInput label="SQL contains" name="q" defaultValue={filter.search} />
      </FilterForm>
      <p className="mb-2 text-sm text-slate-600">{total.toLocaleString("en")} matching queries, newest first.</p>
      {queries.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No queries match. Queries run in the workbench appear here.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-sm" aria-label="Logged queries">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                {["Started (UTC)", "User", "Collaboration", "Status", "Duration", "Rows", "Privacy spent", "Query"].map((h) => (
                  <th key={h} scope="col" className="px-3 py-2">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {queries.map((q) => (
                <tr key={q.id} className="border-t border-slate-100 align-top">
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{q.startedAt.toISOString().replace("T", " ").slice(0, 19)}</td>
                  <td className="px-3 py-2">{q.userEmail}</td>
                  <td className="px-3 py-2">{names.get(q.collaborationId) ?? q.collaborationId}</td>
                  <td className={`px-3 py-2 ${q.status === "SUCCESS" ? "text-emerald-700" : q.status === "FAILED" ? "text-red-700" : ""}`}>
                    {q.status}
                    {q.error && <span className="block text-xs text-red-700">{q.error}</span>}
                  </td>
                  <td className="whitespace-nowrap px-3 py-2">{formatDuration(q.startedAt, q.finishedAt)}</td>
                  <td className="px-3 py-2 text-right">{q.rows ?? "—"}</td>
                  <td className="whitespace-nowrap px-3 py-2">{spentLabel(q) ?? "—"}</td>
                  <td className="max-w-md px-3 py-2 font-mono text-xs break-words">
                    {q.templateName && (
                      <span className="mb-1 block font-sans text-slate-700">
                        Template {q.templateName}
                        {q.parameters &&
                          Object.keys(q.parameters).length > 0 &&
                          ` with ${Object.entries(q.parameters)
                            .map(([k, v]) => `${k} = ${v}`)
                            .join(", ")}`}
                      </span>
                    )}
                    {q.sql}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav className="mt-3 flex gap-4 text-sm" aria-label="Query log pages">
        {page > 0 && (
          <Link href={link({ page: String(page - 1) })} className="text-brand-700 underline">
            Newer
          </Link>
        )}
        {(page + 1) * PAGE < total && (
          <Link href={link({ page: String(page + 1) })} className="text-brand-700 underline">
            Older
          </Link>
        )}
      </nav>
    </>
  );
}
