import type { Metadata } from "next";
import { cleanroomsMode } from "@/server/config";
import Link from "next/link";
import { notFound } from "next/navigation";
import { PageHeader } from "@/components/ui/page-header";
import { Workbench } from "@/components/workbench/workbench";
import { protectsWithDifferentialPrivacy } from "@/lib/analysis-rules";
import { columnAllowances } from "@/lib/rule-summary";
import { requirePage } from "@/server/auth/session";
import { getCollaboration } from "@/server/collaborations/collaborations";
import { readPrivacyBudget } from "@/server/collaborations/privacy-budget";
import { settingsOf } from "@/server/collaborations/settings";
import { ownQueries } from "@/server/queries/queries";

export const metadata: Metadata = { title: "Query workbench" };

const ruleLabels = { AGGREGATION: "aggregation", LIST: "list", CUSTOM: "custom" } as const;

export default async function WorkbenchPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<{ from?: string }> }) {
  const { id } = await params;
  const { from } = await searchParams;
  const actor = await requirePage("queries.run", `/workbench/${id}`);
  const collaboration = await getCollaboration(actor, id);
  if (!collaboration || collaboration.memberStatus !== "ACTIVE") notFound();
  const me = collaboration.members.find((m) => m.accountId === collaboration.ownAccountId);
  const canQuery = me?.abilities.includes("CAN_QUERY") ?? false;
  const schema = Object.fromEntries(collaboration.tables.map((t) => [t.name, t.columns.map((c) => c.name)]));
  const earlier = from ? (await ownQueries(actor, 200)).find((q) => q.id === from && q.collaborationId === id) : undefined;
  // A template's query opens the template again, with the values it ran with; SQL opens in the editor.
  const earlierTemplate = earlier?.templateName ? collaboration.templates.find((t) => t.name === earlier.templateName) : undefined;
  const rerun = earlier && !earlier.templateName ? earlier.sql : undefined;
  const settings = await settingsOf(actor.orgId, collaboration.id);
  const usesPrivacy = collaboration.tables.some((t) => protectsWithDifferentialPrivacy(t.rule));
  const privacyBudget = usesPrivacy ? await readPrivacyBudget(actor, collaboration.id) : null;
  const first = collaboration.tables.find((t) => t.rule?.type === "AGGREGATION");
  const suggestion =
    first && first.rule?.type === "AGGREGATION"
      ? `SELECT ${first.rule.policy.dimensionColumns[0] ?? "1"}, COUNT(DISTINCT ${first.rule.policy.outputConstraints[0]!.columnName}) AS n\nFROM ${first.name}\nGROUP BY ${first.rule.policy.dimensionColumns[0] ?? "1"}`
      : "";
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/workbench" className="text-brand-700 hover:underline">
          ← Workbench
        </Link>
      </p>
      <PageHeader title={collaboration.name} description="Queries run as your organization; each table's analysis rule decides what comes back." />
      <div className="grid gap-6 lg:grid-cols-[18rem_minmax(0,1fr)]">
        <aside className="space-y-4 text-sm" aria-label="Tables you can query">
          {collaboration.tables.length === 0 && <p className="text-slate-600">No member has added a table yet.</p>}
          {collaboration.tables.map((table) => (
            <section key={table.name} className="rounded-lg border border-slate-200 bg-white p-3">
              <h2 className="font-mono font-medium">{table.name}</h2>
              <p className="text-xs text-slate-600">
                {collaboration.members.find((m) => m.accountId === table.ownerAccountId)?.displayName ?? table.ownerAccountId} · {table.rule ? `${ruleLabels[table.rule.type]} rule` : "no rule"}
              </p>
              <ul className="mt-2 space-y-1">
                {table.columns.map((c) => (
                  <li key={c.name} className="flex flex-wrap items-baseline justify-between gap-x-2">
                    <span className="font-mono text-xs">
                      {c.name} <span className="text-slate-500">{c.type}</span>
                    </span>
                    <span className="text-xs text-slate-600">{columnAllowances(table.rule, c.name).join(" · ")}</span>
                  </li>
                ))}
              </ul>
            </section>
          ))}
          {collaboration.templates.length > 0 && (
            <section className="rounded-lg border border-slate-200 bg-white p-3">
              <h2 className="font-medium">Analysis templates</h2>
              <ul className="mt-1 space-y-1 text-xs">
                {collaboration.templates.map((t) => (
                  <li key={t.arn}>
                    <span className="font-mono">{t.name}</span>
                    {t.parameters.length > 0 && <span className="text-slate-600"> · parameters: {t.parameters.map((p) => `${p.name} (${p.type.toLowerCase()})`).join(", ")}</span>}
                  </li>
                ))}
              </ul>
              <p className="mt-1 text-xs text-slate-600">Choose one under Run to fill in its parameters.</p>
            </section>
          )}
        </aside>
        <Workbench
          pace={cleanroomsMode()}
          collaborationId={collaboration.id}
          schema={schema}
          canQuery={canQuery}
          cannotQueryReason="Your organization cannot run queries in this collaboration (it lacks the ability to query); you can still see the tables and their rules."
          initialSql={rerun ?? settings.suggestedSql ?? suggestion}
          dashboardUrl={settings.dashboardUrl}
          templates={collaboration.templates}
          initialTemplate={earlierTemplate ? { arn: earlierTemplate.arn, values: earlier?.parameters ?? {} } : undefined}
          privacyBudget={privacyBudget}
        />
      </div>
    </>
  );
}
