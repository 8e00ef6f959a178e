import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { DashboardView } from "@/components/quicksight/dashboard-view";
import { PageHeader } from "@/components/ui/page-header";
import { requirePage } from "@/server/auth/session";
import { readDashboard } from "@/server/quicksight/dashboards";

export const metadata: Metadata = { title: "Dashboard" };

// A QuickSight dashboard of the organization's own account, drawn by the console from its
// definition: what "Open the dashboard" leads to in local mode (on AWS it opens in QuickSight).
export default async function DashboardPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePage("collaborations.view", `/dashboards/${id}`);
  const dashboard = await readDashboard(actor, id);
  if (!dashboard) notFound();
  return (
    <>
      <PageHeader title={dashboard.name} description={`QuickSight dashboard ${id}, version ${dashboard.version}, in ${actor.orgName}'s account.`} />
      <DashboardView visuals={dashboard.visuals} />
    </>
  );
}
