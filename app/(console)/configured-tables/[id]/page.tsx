import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { DeleteConfiguredTable } from "@/components/configured-tables/delete-configured-table";
import { RuleEditor } from "@/components/configured-tables/rule-editor";
import { PageHeader } from "@/components/ui/page-header";
import { requirePage } from "@/server/auth/session";
import { getConfiguredTable } from "@/server/configured-tables/configured-tables";
import { getDataset } from "@/server/datasets/datasets";

export const metadata: Metadata = { title: "Configured table" };

export default async function ConfiguredTablePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const actor = await requirePage("configuredTables.manage", `/configured-tables/${id}`);
  // Read through the organization's own client: another organization's table is not found.
  const table = await getConfiguredTable(actor, id);
  if (!table) notFound();
  const dataset = table.dataset ? await getDataset(actor, table.dataset) : null;
  const typeOf = new Map((dataset?.columns ?? []).map((c) => [c.name, c.type]));
  const columns = table.allowedColumns.map((name) => ({ name, type: typeOf.get(name) ?? "" }));
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/configured-tables" className="text-brand-700 hover:underline">
          ← Configured tables
        </Link>
      </p>
      <PageHeader
        title={table.name}
        description={`${table.description ? `${table.description} · ` : ""}Reads ${table.dataset ? `the dataset ${table.dataset}` : table.glueTable} · columns ${table.allowedColumns.join(", ")}`}
      />
      {!table.rule && (
        <p className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">This table has no analysis rule yet: no collaboration can query it until you create one.</p>
      )}
      <RuleEditor id={table.id} columns={columns} rule={table.rule} />
      <section className="mt-8">
        <DeleteConfiguredTable id={table.id} name={table.name} />
      </section>
    </>
  );
}
