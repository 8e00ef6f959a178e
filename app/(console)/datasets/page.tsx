import type { Metadata } from "next";
import { cleanroomsMode } from "@/server/config";
import Link from "next/link";
import { RolePoliciesView } from "@/components/aws/role-policies";
import { CrawlStatus } from "@/components/datasets/crawl-status";
import { UploadDatasetForm } from "@/components/datasets/upload-form";
import { PageHeader } from "@/components/ui/page-header";
import { formatBytes } from "@/lib/format";
import { requirePage } from "@/server/auth/session";
import { rolesFor } from "@/server/aws/roles";
import { listDatasets } from "@/server/datasets/datasets";

export const metadata: Metadata = { title: "Datasets" };

export default async function DatasetsPage() {
  const actor = await requirePage("datasets.manage", "/datasets");
  const datasets = await listDatasets(actor);
  return (
    <>
      <PageHeader title="Datasets" description={`${actor.orgName}'s data, in a bucket only your organization can read. Upload a file, let it be catalogued, then configure a table from it.`} />
      {datasets.length === 0 ? (
        <section className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-slate-600">
          <h2 className="font-semibold text-slate-800">No datasets yet</h2>
          <p className="mt-1">Upload a CSV file with a header row, or a Parquet file. It is checked as it uploads, then catalogued so its columns can be offered to collaborations.</p>
        </section>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th scope="col" className="px-4 py-3">
                  Dataset
                </th>
                <th scope="col" className="px-4 py-3">
                  File
                </th>
                <th scope="col" className="px-4 py-3">
                  Size
                </th>
                <th scope="col" className="px-4 py-3">
                  Columns
                </th>
                <th scope="col" className="px-4 py-3">
                  Catalogue
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {datasets.map((dataset) => (
                <tr key={dataset.name}>
                  <td className="px-4 py-3 font-medium">
                    <Link href={`/datasets/${dataset.name}`} className="text-brand-700 underline-offset-2 hover:underline">
                      {dataset.name}
                    </Link>
                  </td>
                  <td className="px-4 py-3 text-slate-600">{dataset.file?.key.split("/").at(-1) ?? "—"}</td>
                  <td className="px-4 py-3 text-slate-600">{dataset.file ? formatBytes(dataset.file.size) : "—"}</td>
                  <td className="px-4 py-3 text-slate-600">{dataset.columns.length || "—"}</td>
                  <td className="px-4 py-3">
                    <CrawlStatus initial={dataset} pace={cleanroomsMode()} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="mt-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6">
        <h2 className="text-lg font-semibold">Upload a dataset</h2>
        <p className="mb-4 mt-1 text-sm text-slate-600">CSV (UTF-8, with a header row) or Parquet. Uploading to an existing name replaces its file and catalogues it again.</p>
        <UploadDatasetForm existing={datasets.map((d) => d.name)} />
      </section>
      <section className="mt-8 max-w-3xl" aria-label="Roles on AWS">
        <RolePoliciesView roles={rolesFor(actor, ["crawler"])} accountId={actor.awsAccountId} />
      </section>
    </>
  );
}
