import type { Metadata } from "next";
import Link from "next/link";
import { VerifyAuditForm } from "@/components/audit/verify-form";
import { FilterForm, FilterInput, FilterSelect } from "@/components/ui/filter-form";
import { PageHeader } from "@/components/ui/page-header";
import { utcDay } from "@/lib/dates";
import { listAudit, type AuditFilter } from "@/server/audit/audit";
import { requirePage } from "@/server/auth/session";

export const metadata: Metadata = { title: "Audit log" };

const PAGE = 50;
const areas = [
  ["", "All actions"],
  ["auth.", "Sign-ins"],
  ["users.", "Users"],
  ["datasets.", "Datasets"],
  ["configuredTables.", "Configured tables"],
  ["collaborations.", "Collaborations"],
  ["audit.", "Audit"],
] as const;

type Search = { action?: string; user?: string; outcome?: string; from?: string; to?: string; q?: string; before?: string };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Search> }) {
  const actor = await requirePage("audit.view", "/audit");
  const search = await searchParams;
  const filter: AuditFilter = {
    action: areas.some(([prefix]) => prefix && prefix === search.action) ? search.action : undefined,
    user: search.user?.trim() || undefined,
    outcome: search.outcome === "success" || search.outcome === "error" ? search.outcome : undefined,
    from: utcDay(search.from),
    to: utcDay(search.to, true),
    search: search.q?.trim() || undefined,
  };
  const before = Number(search.before) > 0 ? Number(search.before) : undefined;
  const { entries, total } = await listAudit(actor.orgId, filter, { before, limit: PAGE });
  const older = entries.length === PAGE ? new URLSearchParams({ ...Object.fromEntries(Object.entries(search).filter(([k, v]) => k !== "before" && v)), before: String(entries.at(-1)!.id) }) : null;
  return (
    <>
      <PageHeader
        title="Audit log"
        description={`Every change made in the console by ${actor.orgName}'s users, and every attempt that was refused. Each entry is chained to the one before it by its hash, so a changed or removed entry shows.`}
      >
        <VerifyAuditForm />
      </PageHeader>
      <FilterForm label="Filter the audit log" clearHref="/audit">
        <FilterSelect label="Area" name="action" defaultValue={filter.action ?? ""} options={areas} />
        <FilterInput label="User e-mail" name="user" defaultValue={filter.user} />
        <FilterSelect
          label="Outcome"
          name="outcome"
          defaultValue={filter.outcome ?? ""}
          options={[
            ["", "Any"],
            ["success", "Succeeded"],
            ["error", "Refused or failed"],
          ]}
        />
        <FilterInput label="From (UTC)" type="date" name="from" defaultValue={search.from} />
        <FilterInput label="To (UTC)" type="date" name="to" defaultValue={search.to} />
        <FilterInput label="Search" name="q" defaultValue={filter.search} placeholder="a name, a table…" />
      </FilterForm>
      <p className="mb-2 text-sm text-slate-600">{total.toLocaleString("en")} matching entries, newest first.</p>
      {entries.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">No entries match. Changes made in the console appear here as they happen.</p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm" aria-label="Audit entries">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-3 py-2">
                  When (UTC)
                </th>
                <th scope="col" className="px-3 py-2">
                  User
                </th>
                <th scope="col" className="px-3 py-2">
                  Action
                </th>
                <th scope="col" className="px-3 py-2">
                  On
                </th>
                <th scope="col" className="px-3 py-2">
                  Outcome
                </th>
                <th scope="col" className="px-3 py-2">
                  Detail
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {entries.map((entry) => (
                <tr key={entry.id}>
                  <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{entry.at.toISOString().replace("T", " ").slice(0, 19)}</td>
                  <td className="px-3 py-2">{entry.userEmail}</td>
                  <td className="px-3 py-2 font-mono text-xs">{entry.action}</td>
                  <td className="max-w-48 truncate px-3 py-2" title={entry.target}>
                    {entry.target}
                  </td>
                  <td className={`px-3 py-2 ${entry.outcome === "success" ? "text-emerald-700" : "text-red-700"}`}>{entry.outcome === "success" ? "Succeeded" : "Refused or failed"}</td>
                  <td className="px-3 py-2 text-slate-700">{String((entry.detail as { message?: unknown; reason?: unknown }).message ?? (entry.detail as { reason?: unknown }).reason ?? "")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {older && (
        <p className="mt-3 text-sm">
          <Link href={`/audit?${older}`} className="text-brand-700 underline">
            Older entries
          </Link>
        </p>
      )}
    </>
  );
}
