import type { Metadata } from "next";
import Link from "next/link";
import { CreateCollaborationForm } from "@/components/collaborations/create-form";
import { JoinForm } from "@/components/collaborations/join-form";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/permissions";
import { requirePage } from "@/server/auth/session";
import { listCollaborations } from "@/server/collaborations/collaborations";

export const metadata: Metadata = { title: "Collaborations" };

export default async function CollaborationsPage() {
  const actor = await requirePage("collaborations.view", "/collaborations");
  const collaborations = await listCollaborations(actor);
  const canManage = can(actor.role, "collaborations.manage");
  const invitations = collaborations.filter((c) => c.memberStatus === "INVITED");
  const joined = collaborations.filter((c) => c.memberStatus !== "INVITED");
  return (
    <>
      <PageHeader title="Collaborations" description="The clean rooms your organization belongs to: who is in each, which tables they bring, and what each table's rule lets members learn." />
      {invitations.length > 0 && (
        <section className="mb-6 rounded-lg border border-brand-100 bg-brand-50 p-5" aria-label="Invitations">
          <h2 className="font-semibold text-slate-800">Invitations</h2>
          <ul className="mt-3 space-y-3">
            {invitations.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center justify-between gap-3">
                <span className="text-sm">
                  <Link href={`/collaborations/${c.id}`} className="font-medium text-brand-700 underline">
                    {c.name}
                  </Link>{" "}
                  from {c.creatorDisplayName} <span className="text-xs text-slate-500">({c.creatorAccountId})</span>
                </span>
                {canManage ? <JoinForm id={c.id} name={c.name} /> : <span className="text-xs text-slate-600">An admin of your organization can join it.</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      {joined.length === 0 ? (
        <section className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          <h2 className="font-semibold text-slate-800">No collaborations yet</h2>
          <p className="mt-1">
            {canManage
              ? "Create one below and invite the organizations you want to analyse data with, or join one you were invited to."
              : "An admin of your organization can create one or accept an invitation."}
          </p>
        </section>
      ) : (
        <ul className="grid gap-4 md:grid-cols-2">
          {joined.map((c) => (
            <li key={c.id} className="rounded-lg border border-slate-200 bg-white p-5">
              <Link href={`/collaborations/${c.id}`} className="font-medium text-brand-700 underline">
                {c.name}
              </Link>
              <p className="mt-1 text-sm text-slate-600">
                {c.isCreator ? "Created by your organization" : `Created by ${c.creatorDisplayName}`} · {new Date(c.createTime).toUTCString().slice(5, 16)}
              </p>
            </li>
          ))}
        </ul>
      )}
      {canManage && (
        <section className="mt-8 max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
          <h2 className="text-lg font-semibold">Create a collaboration</h2>
          <p className="mb-4 mt-1 text-sm text-slate-600">Your organization joins it at once; each organization you invite sees the invitation and joins on its own.</p>
          <CreateCollaborationForm organizationName={actor.orgName} />
        </section>
      )}
    </>
  );
}
