import Link from "next/link";
import { PageHeader } from "@/components/ui/page-header";
import { navItems } from "@/lib/navigation";
import { can, roleLabels } from "@/lib/permissions";
import { requirePage } from "@/server/auth/session";

const blurbs: Record<string, string> = {
  "/datasets": "Upload and catalogue your organization's data.",
  "/configured-tables": "Decide which columns collaborations may use, and under which rule.",
  "/collaborations": "See the clean rooms you belong to and what you may query.",
  "/workbench": "Run protected queries and chart their results.",
  "/query-logs": "Review every query and every change.",
  "/members": "Manage who in your organization may sign in, and with which role.",
};

export default async function HomePage() {
  const actor = await requirePage("home.view", "/");
  const destinations = navItems.filter((item) => item.href !== "/" && can(actor.role, item.permission));
  return (
    <>
      <PageHeader title={`Welcome, ${actor.name}`} description={`You are signed in to ${actor.orgName} (AWS account ${actor.awsAccountId}) as ${roleLabels[actor.role].toLowerCase()}.`} />
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
