import type { Metadata } from "next";
import { ComingPage } from "@/components/shell/coming-page";
import { requirePage } from "@/server/auth/session";

export const metadata: Metadata = { title: "Query logs" };

export default async function QueryLogsPage() {
  await requirePage("queryLogs.view", "/query-logs");
  return (
    <ComingPage
      title="Query logs"
      summary="Every query run against your organization's data, and every change to its rules."
      points={[
        "Review each protected query: who ran it, its SQL, the rules it passed and its status.",
        "Review changes to configured tables, analysis rules and associations.",
        "Filter by collaboration, user and time, and export the log.",
      ]}
    />
  );
}
