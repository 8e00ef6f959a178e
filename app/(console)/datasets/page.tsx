import type { Metadata } from "next";
import { ComingPage } from "@/components/shell/coming-page";
import { requirePage } from "@/server/auth/session";

export const metadata: Metadata = { title: "Datasets" };

export default async function DatasetsPage() {
  await requirePage("datasets.manage", "/datasets");
  return (
    <ComingPage
      title="Datasets"
      summary="Your organization's data, in storage only your organization can read."
      points={[
        "Upload CSV or Parquet files into your organization's S3 bucket.",
        "Catalogue them with a Glue crawler and review the inferred columns and types.",
        "See which configured tables and collaborations use each dataset.",
      ]}
    />
  );
}
