import type { Metadata } from "next";
import { cleanroomsMode } from "@/server/config";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CrawlStatus } from "@/components/datasets/crawl-status";
import { DatasetActions } from "@/components/datasets/dataset-actions";
import { PageHeader } from "@/components/ui/page-header";
import { formatBytes } from "@/lib/format";
import { requirePage } from "@/server/auth/session";
import { getDataset, previewDataset } from "@/server/datasets/datasets";

export const metadata: Metadata = { title: "Dataset" };

export default async function DatasetPage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  const actor = await requirePage("datasets.manage", `/datasets/${name}`);
  // Read through the organization's own clients: another organization's dataset is simply not found.
  const dataset = await getDataset(actor, name);
  if (!dataset) notFound();
  const preview = await previewDataset(actor, name);
  return (
    <>
      <p className="mb-2 text-sm">
        <Link href="/datasets" className="text-brand-700 hover:underline">
          ← Datasets
        </Link>
      </p>
      <PageHeader
        title={dataset.name}
        description={`${dataset.file?.key.split("/").at(-1)} · ${formatBytes(dataset.file?.size ?? 0)} · uploaded ${new Date(dataset.file!.lastModified).toUTCString()}`}
      >
        <CrawlStatus initial={dataset} pace={cleanroomsMode()} />
      </PageHeader>
      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_minmax(0,2fr)]">
        <section className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="mb-3 text-sm font-semibold">Columns</h2>
          {dataset.columns.length ? (
            <table className="min-w-full text-sm" aria-label="Columns">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <th scope="col" className="py-1 pr-4">
                    Name
                  </th>
                  <th scope="col" className="py-1">
                    Type
                  </th>
                </tr>
              </thead>
              <tbody>
                {dataset.columns.map((column) => (
                  <tr key={column.name} className="border-t border-slate-100">
                    <td className="py-1 pr-4 font-mono">{column.name}</td>
                    <td className="py-1 font-mono text-slate-600">{column.type}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="text-sm text-slate-600">The columns appear once the crawl has catalogued the file.</p>
          )}
        </section>
        <section className="min-w-0 rounded-lg border border-slate-200 bg-white p-4">
          <h2 className="mb-3 text-sm font-semibold">Preview (first 20 rows)</h2>
          {preview ? (
            <div className="overflow-x-auto">
              <table className="min-w-full text-sm" aria-label="Preview">
                <thead className="text-left text-xs text-slate-500">
                  <tr>
                    {preview.columns.map((column, i) => (
                      <th key={i} scope="col" className="whitespace-nowrap px-2 py-1 font-mono">
                        {column}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {preview.rows.map((row, r) => (
                    <tr key={r} className="border-t border-slate-100">
                      {row.map((value, c) => (
                        <td key={c} className="whitespace-nowrap px-2 py-1 font-mono text-slate-700">
                          {value}
                        </td>
                      ))}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : (
            <p className="text-sm text-slate-600">No preview: CSV files, and Parquet files up to 64 MB, are previewed.</p>
          )}
        </section>
      </div>
      <section className="mt-6">
        <DatasetActions name={dataset.name} />
      </section>
    </>
  );
}
