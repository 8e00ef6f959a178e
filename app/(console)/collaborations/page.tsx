import type { Metadata } from "next";
import { ComingPage } from "@/components/shell/coming-page";
import { requirePage } from "@/server/auth/session";

export const metadata: Metadata = { title: "Collaborations" };

export default async function CollaborationsPage() {
  await requirePage("collaborations.view", "/collaborations");
  return (
    <ComingPage
      title="Collaborations"
      summary="The clean rooms your organization belongs to, and what each member contributes."
      points={[
        "See the members of each collaboration, their abilities and your membership status.",
        "Browse the schemas you may query and the rules that apply to each table.",
        "Follow the privacy budget left for tables protected by differential privacy.",
      ]}
    />
  );
}
