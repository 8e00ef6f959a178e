import type { Metadata } from "next";
import Link from "next/link";
import { CreateConfiguredTableForm } from "@/components/configured-tables/create-form";
import { PageHeader } from "@/components/ui/page-header";
import { summarizeRule } from "@/lib/rule-summary";
import { requirePage } from "@/server/auth/session";
import { listConfiguredTables } from "@/server/configured-tables/configured-tables";
import { listDatasets } from "@/server/datasets/datasets";

export const metadata: Metadata = { title: "Configured tables" };

const ruleLabels = { AGGREGATION: "Aggregation", LIST: "List", CUSTOM: "Custom" } as const;

export default async function ConfiguredTablesPage() {
  const actor = await requirePage("configuredTables.manage", "/configured-tables");
  const [tables, datasets] = await Promise.all([listConfiguredTables(actor), listDatasets(actor)]);
  const catalogued = datasets.filter((d) => d.columns.length).map((d) => ({ name: d.name, columns: d.columns }));
  return (
    <>
      <PageHeader
        title="Configured tables"
        description="Which columns of a dataset collaborations may use, and the analysis rule that decides what partners can learn from them. A partner sees a table only once you associate it with a collaboration."
      />
      {tables.length === 0 ? (
        <section className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          <h2 className="font-semibold text-slate-800">No configured tables yet</h2>
          <p className="mt-1">
            {catalogued.length
              ? "Configure a table from one of your catalogued datasets below, then give it an analysis rule."
              : "First upload a dataset and let it be catalogued on the Datasets page."}
          </p>
        </section>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Name
                </th>
                <th scope="col" className="px-4 py-3">
                  Dataset
                </th>
                <th scope="col" className="px-4 py-3">
                  Columns
                </th>
                <th scope="col" className="px-4 py-3">
                  Rule
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {tables.map((table) => (
                <tr key={table.id}>
                  <td className="px-4 py-3 font-medium">
                    <Link href={`/configured-tables/${table.id}`} className="text-brand-700 underline-offset-2 hover:underline">
                      {table.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3 text-slate-600">{table.dataset ?? table.glueTable}</td>
                  <td className="px-4 py-3 font-mono text-xs text-slate-600">{table.allowedColumns.join(", ")}</td>
                  <td className="px-4 py-3 text-slate-600">
                    {table.rule ? (
                      <>
                        <span className="font-medium text-slate-800">{ruleLabels[table.rule.type]}.</span> {summarizeRule(table.rule, table.allowedColumns).can[0]}
                      </>
                    ) : (
                      <span className="text-amber-700">No rule yet: partners cannot query it</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {catalogued.length > 0 && (
        <section className="mt-8 max-w-2xl rounded-lg border border-slate-200 bg-white p-6">
          <h2 className="text-lg font-semibold">Configure a table</h2>
          <p className="mb-4 mt-1 text-sm text-slate-600">Choose a catalogued dataset and the columns partners may use. You choose the analysis rule next.</p>
          <CreateConfiguredTableForm datasets={catalogued} />
        </section>
      )}
    </>
  );
}
