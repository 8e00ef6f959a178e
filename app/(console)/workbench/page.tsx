import type { Metadata } from "next";
import { ComingPage } from "@/components/shell/coming-page";
import { requirePage } from "@/server/auth/session";

export const metadata: Metadata = { title: "Query workbench" };

export default async function WorkbenchPage() {
  await requirePage("queries.run", "/workbench");
  return (
    <ComingPage
      title="Query workbench"
      summary="Write SQL against a collaboration's tables; it runs only if every analysis rule allows it."
      points={[
        "Check a query against the rules before you submit it, with an explanation of any refusal.",
        "Follow each protected query from submission to result.",
        "See results as tables and charts, download them, or publish them to a QuickSight dashboard.",
      ]}
    />
  );
}
