import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { PageHeader } from "@/components/ui/page-header";
import { requirePage } from "@/server/auth/session";
import { listCollaborations } from "@/server/collaborations/collaborations";
import { queryLogFilterOf, queryStatuses } from "@/server/queries/log-filter";
import { listQueryLog } from "@/server/queries/queries";

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
      <form className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3 lg:grid-cols-6" aria-label="Filter the query logs">
        <label className="space-y-1">
          <span className="block font-medium text-slate-700">Status</span>
          <select name="status" defaultValue={filter.status ?? ""} className="w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Any</option>
            {queryStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className="block font-medium text-slate-700">User e-mail</span>
          <input name="user" defaultValue={filter.user} className="w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <label className="space-y-1">
          <span className="block font-medium text-slate-700">Collaboration</span>
          <select name="collaboration" defaultValue={filter.collaborationId ?? ""} className="w-full rounded-md border border-slate-300 px-2 py-1.5">
            <option value="">Any</option>
            {collaborations.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
        <label className="space-y-1">
          <span className="block font-medium text-slate-700">From (UTC)</span>
          <input type="date" name="from" defaultValue={search.from} className="w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <label className="space-y-1">
          <span className="block font-medium text-slate-700">To (UTC)</span>
          <input type="date" name="to" defaultValue={search.to} className="w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <label className="space-y-1">
          <span className="block font-medium text-slate-700">SQL contains</span>
          <input name="q" defaultValue={filter.search} className="w-full rounded-md border border-slate-300 px-2 py-1.5" />
        </label>
        <div className="flex gap-2 sm:col-span-3 lg:col-span-6">
          <Button type="submit">Filter</Button>
          <Link href="/query-logs" className="self-center text-brand-700 underline">
            Clear filters
          </Link>
        </div>
      </form>
      <p className="mb-2 text-sm text-slate-600">{total.toLocaleString("en")} matching queries, newest first.</p>
      {queries.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No queries match. Queries run in the workbench appear here.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full text-sm" aria-label="Logged queries">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                {["Started (UTC)", "User", "Collaboration", "Status", "Duration", "Rows", "Query"].map((h) => (
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
                  <td className="whitespace-nowrap px-3 py-2">{q.finishedAt ? `${((q.finishedAt.getTime() - q.startedAt.getTime()) / 1000).toFixed(1)} s` : "—"}</td>
                  <td className="px-3 py-2 text-right">{q.rows ?? "—"}</td>
                  <td className="max-w-md px-3 py-2 font-mono text-xs break-words">{q.sql}</td>
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
