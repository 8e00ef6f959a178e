import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { removeAssociation, deleteCollaboration, leaveCollaboration } from "@/app/(console)/collaborations/actions";
import { AssociateForm } from "@/components/collaborations/associate-form";
import { DashboardForm } from "@/components/collaborations/dashboard-form";
import { SuggestedQueryForm } from "@/components/collaborations/suggested-query-form";
import { RolePoliciesView } from "@/components/aws/role-policies";
import { JoinForm } from "@/components/collaborations/join-form";
import { PrivacyBudgetForm } from "@/components/collaborations/privacy-budget-form";
import { BudgetPanel } from "@/components/privacy/privacy-panel";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { PageHeader } from "@/components/ui/page-header";
import { protectsWithDifferentialPrivacy } from "@/lib/analysis-rules";
import { abilityLabels } from "@/lib/collaborations";
import { can } from "@/lib/permissions";
import { summarizeRule } from "@/lib/rule-summary";
import { requirePage } from "@/server/auth/session";
import { getCollaboration } from "@/server/collaborations/collaborations";
import { rolesFor } from "@/server/aws/roles";
import { readPrivacyBudget } from "@/server/collaborations/privacy-budget";
import { settingsOf } from "@/server/collaborations/settings";
import { listConfiguredTables } from "@/server/configured-tables/configured-tables";

export const metadata: Metadata = { title: "Collaboration" };

const statusLabels: Record<string, string> = { ACTIVE: "Joined", INVITED: "Invited", LEFT: "Left", REMOVED: "Removed" };

export default async function CollaborationPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ joined?: string }> }) {
  const { id } = await params;
  const { joined } = await searchParams;
  const actor = await requirePage("collaborations.view", `/collaborations/${id}`);
  // Read as the organization's Clean Rooms member: a collaboration it is not in is not found.
  const collaboration = await getCollaboration(actor, id);
  if (!collaboration) notFound();
  const canManage = can(actor.role, "collaborations.manage");
  const settings = await settingsOf(actor.orgId, collaboration.id);
  const canAssociate = can(actor.role, "collaborations.associate") && collaboration.memberStatus === "ACTIVE";
  const ownTables = canAssociate ? await listConfiguredTables(actor) : [];
  const associated = new Set(collaboration.tables.filter((t) => t.ownerAccountId === collaboration.ownAccountId).map((t) => t.name));
  const nameOf = new Map(collaboration.members.map((m) => [m.accountId, m.displayName]));
  const receivers = collaboration.members.filter((m) => m.abilities.includes("CAN_RECEIVE_RESULTS"));
  // Differential privacy: the budget is shown to every member; the protecting member's admins set it.
  const protectedTables = collaboration.tables.filter((t) => protectsWithDifferentialPrivacy(t.rule));
  const privacyBudget = protectedTables.length ? await readPrivacyBudget(actor, collaboration.id) : null;
  const setsBudget = canManage && protectedTables.some((t) => t.ownerAccountId === collaboration.ownAccountId);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/collaborations" className="text-brand-700 hover:underline">
          ← Collaborations
        </Link>
      </p>
      <PageHeader
        title={collaboration.name}
        description={`${collaboration.description} · created by ${collaboration.creatorDisplayName} · query logging ${collaboration.queryLogStatus === "ENABLED" ? "on" : "off"}`}
      />

      {joined && collaboration.memberStatus === "ACTIVE" && (
        <p role="status" className="mb-6 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
          Your organization has joined. Data owners can now add configured tables
          {collaboration.members.find((m) => m.accountId === collaboration.ownAccountId)?.abilities.includes("CAN_RECEIVE_RESULTS")
            ? ", and results of queries you run arrive in your results bucket"
            : ""}
          .
        </p>
      )}
      {collaboration.memberStatus === "INVITED" && (
        <section className="mb-6 rounded-lg border border-brand-100 bg-brand-50 p-5" aria-label="Invitation">
          <p className="text-sm text-slate-800">
            {collaboration.creatorDisplayName} invited your organization. Once you join, your data owners can add configured tables and your members see the others&apos; tables.
          </p>
          <div className="mt-3">{canManage ? <JoinForm id={collaboration.id} name={collaboration.name} /> : <p className="text-sm text-slate-600">An admin of your organization can join.</p>}</div>
        </section>
      )}

      <section className="mb-6 rounded-lg border border-slate-200 bg-white p-5">
        <h2 className="mb-3 font-semibold">Members</h2>
        <table className="min-w-full text-sm" aria-label="Members">
          <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="py-1 pr-4">
                Member
              </th>
              <th scope="col" className="py-1 pr-4">
                Account
              </th>
              <th scope="col" className="py-1 pr-4">
                Status
              </th>
              <th scope="col" className="py-1">
                Abilities
              </th>
            </tr>
          </thead>
          <tbody>
            {collaboration.members.map((m) => (
              <tr key={m.accountId} className="border-t border-slate-100">
                <td className="py-2 pr-4 font-medium">
                  {m.displayName}
                  {m.accountId === collaboration.ownAccountId && <span className="ml-2 text-xs text-slate-500">(your organization)</span>}
                </td>
                <td className="py-2 pr-4 font-mono text-xs">{m.accountId}</td>
                <td className="py-2 pr-4">{statusLabels[m.status] ?? m.status}</td>
                <td className="py-2">{m.abilities.map((a) => abilityLabels[a as keyof typeof abilityLabels] ?? a).join(", ") || "Contributes data only"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {collaboration.encryption && (
          <p className="mt-3 text-xs text-slate-600">
            Encrypted tables allowed: cleartext {collaboration.encryption.allowCleartext ? "allowed" : "not allowed"}, duplicates {collaboration.encryption.allowDuplicates ? "allowed" : "not allowed"}
            , joins on differently named columns {collaboration.encryption.allowJoinsOnColumnsWithDifferentNames ? "allowed" : "not allowed"}, NULLs{" "}
            {collaboration.encryption.preserveNulls ? "preserved" : "not preserved"}.
          </p>
        )}
      </section>

      {collaboration.memberStatus === "ACTIVE" && (
        <section className="mb-6 space-y-4" aria-label="Tables">
          <h2 className="font-semibold">Tables</h2>
          {collaboration.tables.length === 0 && (
            <p className="rounded-lg border border-dashed border-slate-300 bg-white p-5 text-sm text-slate-600">
              No member has added a table yet. {canAssociate ? "Add one of your configured tables below." : ""}
            </p>
          )}
          {collaboration.tables.map((table) => {
            const summary = table.rule
              ? summarizeRule(
                  table.rule,
                  table.columns.map((c) => c.name),
                )
              : null;
            return (
              <article key={table.name} className="rounded-lg border border-slate-200 bg-white p-5" aria-label={`Table ${table.name}`}>
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <h3 className="font-mono font-medium">{table.name}</h3>
                  <span className="text-xs text-slate-500">from {nameOf.get(table.ownerAccountId) ?? table.ownerAccountId}</span>
                </div>
                {table.description && <p className="mt-1 text-sm text-slate-600">{table.description}</p>}
                <p className="mt-2 text-sm">
                  <span className="text-slate-500">Columns:</span>{" "}
                  {table.columns.map((c) => (
                    <span key={c.name} className="mr-2 font-mono text-xs">
                      {c.name} <span className="text-slate-500">{c.type}</span>
                    </span>
                  ))}
                </p>
                {summary ? (
                  <ul className="mt-2 list-disc space-y-1 pl-5 text-sm text-slate-700">
                    {[...summary.can, ...summary.cannot].map((line) => (
                      <li key={line}>{line}</li>
                    ))}
                  </ul>
                ) : (
                  <p className="mt-2 text-sm text-amber-700">No analysis rule yet: it cannot be queried.</p>
                )}
                {table.associationId && canAssociate && (
                  <div className="mt-3">
                    <ConfirmAction
                      action={removeAssociation}
                      fields={{ id: collaboration.id, associationId: table.associationId, name: table.name }}
                      label="Remove from collaboration"
                      question={`Remove ${table.name}? Members can no longer query it; your configured table stays.`}
                      confirmLabel="Yes, remove"
                      pendingLabel="Removing…"
                    />
                  </div>
                )}
              </article>
            );
          })}
          {collaboration.templates.length > 0 && (
            <div className="rounded-lg border border-slate-200 bg-white p-5">
              <h3 className="font-medium">Analysis templates</h3>
              <ul className="mt-2 space-y-1 text-sm">
                {collaboration.templates.map((t) => (
                  <li key={t.arn}>
                    <span className="font-mono">{t.name}</span> <span className="text-xs text-slate-500">by {nameOf.get(t.creatorAccountId) ?? t.creatorAccountId}</span>
                    {t.description && <span className="text-slate-600"> — {t.description}</span>}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </section>
      )}

      {collaboration.memberStatus === "ACTIVE" && protectedTables.length > 0 && (
        <section className="mb-6 max-w-2xl space-y-3 rounded-lg border border-slate-200 bg-white p-6" aria-label="Differential privacy">
          <h2 className="text-lg font-semibold">Differential privacy</h2>
          <p className="text-sm text-slate-600">
            {protectedTables.map((t) => t.name).join(", ")} {protectedTables.length === 1 ? "answers" : "answer"} only with noisy aggregates, and only as often as the privacy budget allows.
          </p>
          {privacyBudget ? (
            <BudgetPanel budget={privacyBudget} />
          ) : (
            <p className="text-sm text-amber-700">No privacy budget is set yet, so these tables cannot be queried.{setsBudget ? " Set one below." : ""}</p>
          )}
          {setsBudget && <PrivacyBudgetForm id={collaboration.id} budget={privacyBudget} />}
        </section>
      )}

      {canAssociate && (
        <section className="mb-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
          <h2 className="text-lg font-semibold">Add a configured table</h2>
          {ownTables.filter((t) => !associated.has(t.name)).length ? (
            <AssociateForm
              id={collaboration.id}
              tables={ownTables.map((t) => ({ id: t.id, name: t.name, hasRule: t.rule !== null }))}
              receivers={receivers.map((r) => ({ accountId: r.accountId, displayName: r.displayName }))}
            />
          ) : (
            <p className="mt-1 text-sm text-slate-600">
              {ownTables.length ? "All of your organization's configured tables are in this collaboration." : "Your organization has no configured table yet."}{" "}
              <Link href="/configured-tables" className="text-brand-700 underline">
                Configure one
              </Link>{" "}
              to add it.
            </p>
          )}
          <div className="mt-4">
            <RolePoliciesView roles={rolesFor(actor, ["tableAccess"])} accountId={actor.awsAccountId} />
          </div>
        </section>
      )}

      {canManage && collaboration.memberStatus === "ACTIVE" && (
        <>
          <section className="mb-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
            <h2 className="text-lg font-semibold">QuickSight</h2>
            <p className="mb-3 mt-1 text-sm text-slate-600">Where your analysts find this collaboration&apos;s dashboard: results in the workbench link to it.</p>
            <DashboardForm id={collaboration.id} url={settings.dashboardUrl} />
          </section>
          <section className="mb-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
            <h2 className="text-lg font-semibold">Suggested query</h2>
            <p className="mb-3 mt-1 text-sm text-slate-600">The query your analysts find in the workbench&apos;s editor when they open this collaboration.</p>
            <SuggestedQueryForm id={collaboration.id} sql={settings.suggestedSql} />
          </section>
          {collaboration.isCreator && (
            <section className="mb-6 max-w-2xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="promote-heading">
              <h2 id="promote-heading" className="text-lg font-semibold">
                Promote to AWS
              </h2>
              <p className="mb-3 mt-1 text-sm text-slate-600">
                Recreate this collaboration&apos;s design on AWS: the collaboration and its members&apos; abilities, each member&apos;s Glue table, configured table and analysis rule, the associations
                and the privacy budget, with each member&apos;s account id, data bucket and roles as parameters. No data is in either file.
              </p>
              <div className="flex flex-wrap gap-4 text-sm">
                <a className="text-brand-700 underline" href={`/api/collaborations/promote?id=${encodeURIComponent(collaboration.id)}&format=cloudformation`} download>
                  CloudFormation template
                </a>
                <a className="text-brand-700 underline" href={`/api/collaborations/promote?id=${encodeURIComponent(collaboration.id)}&format=cli`} download>
                  AWS CLI script
                </a>
              </div>
            </section>
          )}
          {collaboration.members.find((m) => m.accountId === collaboration.ownAccountId)?.abilities.includes("CAN_RECEIVE_RESULTS") && (
            <section className="mb-6 max-w-3xl" aria-label="Results role on AWS">
              <RolePoliciesView roles={rolesFor(actor, ["results"])} accountId={actor.awsAccountId} />
            </section>
          )}
        </>
      )}

      {canManage && collaboration.memberStatus === "ACTIVE" && (
        <section className="flex flex-wrap gap-4">
          {collaboration.isCreator ? (
            <ConfirmAction
              action={deleteCollaboration}
              fields={{ id: collaboration.id }}
              label="Delete collaboration"
              question={`Delete ${collaboration.name} for every member? Queries stop; each member keeps its own data.`}
              confirmLabel="Yes, delete"
              pendingLabel="Deleting…"
            />
          ) : (
            <ConfirmAction
              action={leaveCollaboration}
              fields={{ id: collaboration.id }}
              label="Leave collaboration"
              question={`Leave ${collaboration.name}? Your tables are removed from it and your members lose access.`}
              confirmLabel="Yes, leave"
              pendingLabel="Leaving…"
            />
          )}
        </section>
      )}
    </>
  );
}
