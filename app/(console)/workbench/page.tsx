import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { requirePage } from "@/server/auth/session";
import { listCollaborations } from "@/server/collaborations/collaborations";
import { ownQueries } from "@/server/queries/queries";
import { formatDuration } from "@/lib/format";

export const metadata: Metadata = { title: "Query workbench" };

export default async function WorkbenchIndexPage() {
  const actor = await requirePage("queries.run", "/workbench");
  const [collaborations, history] = await Promise.all([listCollaborations(actor), ownQueries(actor, 20)]);
  const joined = collaborations.filter((c) => c.memberStatus === "ACTIVE");
  const names = new Map(collaborations.map((c) => [c.id, c.name]));
  return (
    <>
      <PageHeader title="Query workbench" description="Choose a collaboration to query its tables under their analysis rules." />
      {joined.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          Your organization has not joined a collaboration yet. An admin can create or join one on the Collaborations page.
        </p>
      ) : (
        <ul className="grid gap-4 md:grid-cols-2">
          {joined.map((c) => (
            <li key={c.id}>
              <Link href={`/workbench/${c.id}`} className="block rounded-lg border border-slate-200 bg-white p-5 hover:border-brand-500">
                <span className="font-medium">{c.name}</span>
                <span className="mt-1 block text-sm text-slate-600">Created by {c.isCreator ? "your organization" : c.creatorDisplayName}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {history.length > 0 && (
        <section className="mt-8">
          <h2 className="mb-2 font-semibold">Your recent queries</h2>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="min-w-full text-sm" aria-label="Your recent queries">
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="px-3 py-2">
                    Started (UTC)
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Collaboration
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Status
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Duration
                  </th>
                  <th scope="col" className="px-3 py-2">
                    Query (opens it again)
                  </th>
                </tr>
              </thead>
              <tbody>
                {history.map((q) => (
                  <tr key={q.id} className="border-t border-slate-100">
                    <td className="whitespace-nowrap px-3 py-2 font-mono text-xs">{q.startedAt.toISOString().replace("T", " ").slice(0, 19)}</td>
                    <td className="px-3 py-2">{names.get(q.collaborationId) ?? q.collaborationId}</td>
                    <td className="px-3 py-2">{q.status}</td>
                    <td className="whitespace-nowrap px-3 py-2">{formatDuration(q.startedAt, q.finishedAt)}</td>
                    <td className="max-w-md truncate px-3 py-2 font-mono text-xs" title={q.sql}>
                      <Link href={`/workbench/${q.collaborationId}?from=${q.id}`} className="text-brand-700 underline">
                        {q.templateName ? `Template ${q.templateName}` : q.sql}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
    </>
  );
}
