import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { navItems } from "@/lib/navigation";
import { can, roleLabels } from "@/lib/permissions";
import { JoinForm } from "@/components/collaborations/join-form";
import { requirePage } from "@/server/auth/session";
import { listCollaborations } from "@/server/collaborations/collaborations";

const blurbs: Record<string, string> = {
  "/datasets": "Upload and catalogue your organization's data.",
  "/configured-tables": "Decide which columns collaborations may use, and under which rule.",
  "/collaborations": "See the clean rooms you belong to and what you may query.",
  "/workbench": "Run protected queries and chart their results.",
  "/query-logs": "Review every protected query run by your organization.",
  "/audit": "Every change made in the console, in a tamper-evident log.",
  "/users": "Manage who in your organization may sign in, and with which role.",
};

export default async function HomePage() {
  const actor = await requirePage("home.view", "/");
  const destinations = navItems.filter((item) => item.href !== "/" && can(actor.role, item.permission));
  // Invitations waiting for the organization; if the cloud cannot be reached, say so rather than fail the home page.
  const invitations = can(actor.role, "collaborations.view")
    ? await listCollaborations(actor).then(
        (all) => all.filter((c) => c.memberStatus === "INVITED"),
        () => null,
      )
    : [];
  return (
    <>
      <PageHeader title={`Welcome, ${actor.name}`} description={`You are signed in to ${actor.orgName} (AWS account ${actor.awsAccountId}) as ${roleLabels[actor.role].toLowerCase()}.`} />
      {invitations === null && <p className="mb-6 text-sm text-amber-800">Invitations to collaborations could not be checked just now.</p>}
      {invitations && invitations.length > 0 && (
        <section className="mb-6 rounded-lg border border-brand-100 bg-brand-50 p-5" aria-label="Invitations">
          <h2 className="font-semibold text-slate-800">Your organization is invited</h2>
          <ul className="mt-3 space-y-3">
            {invitations.map((c) => (
              <li key={c.id} className="flex flex-wrap items-center justify-between gap-3 text-sm">
                <span>
                  <Link href={`/collaborations/${c.id}`} className="font-medium text-brand-700 underline">
                    {c.name}
                  </Link>{" "}
                  from {c.creatorDisplayName}
                </span>
                {can(actor.role, "collaborations.manage") ? <JoinForm id={c.id} name={c.name} /> : <span className="text-xs text-slate-600">An admin of your organization can join it.</span>}
              </li>
            ))}
          </ul>
        </section>
      )}
      <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
        {destinations.map((item) => (
          <li key={item.href}>
            <Link href={item.href} className="block h-full rounded-lg border border-slate-200 bg-white p-5 hover:border-brand-500">
              <p className="font-medium">{item.label}</p>
              <p className="mt-1 text-sm text-slate-600">{blurbs[item.href]}</p>
            </Link>
          </li>
        ))}
      </ul>
    </>
  );
}
