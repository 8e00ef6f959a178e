"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef } from "react";
import type { Dataset } from "@/lib/datasets";

const labels: Record<string, string> = { RUNNING: "Cataloguing…", STOPPING: "Stopping…", NONE: "Not catalogued" };

/**
 * A dataset's crawl state, polled every second while a crawl runs; when it ends, the page is
 * refreshed so the columns the crawl found appear.
 */
export function CrawlStatus({ initial }: { initial: Dataset }) {
  const router = useRouter();
  const { data } = useQuery({
    queryKey: ["dataset", initial.name],
    queryFn: async (): Promise<Dataset> => {
      const response = await fetch(`/api/datasets?${new URLSearchParams({ name: initial.name })}`);
      if (!response.ok) throw new Error(`status ${response.status}`);
      return ((await response.json()) as { dataset: Dataset }).dataset;
    },
    initialData: initial,
    refetchInterval: (query) => (query.state.data?.crawl.state === "READY" || query.state.data?.crawl.state === "NONE" ? false : 1000),
  });
  const crawl = data.crawl;
  const wasRunning = useRef(crawl.state !== "READY");
  useEffect(() => {
    if (crawl.state === "READY" && wasRunning.current) {
      wasRunning.current = false;
      router.refresh();
    }
    if (crawl.state !== "READY") wasRunning.current = true;
  }, [crawl.state, router]);

  if (crawl.state !== "READY") return <span className="text-amber-700">{labels[crawl.state] ?? crawl.state}</span>;
  if (crawl.lastStatus === "SUCCEEDED") return <span className="text-green-700">Catalogued</span>;
  if (crawl.lastStatus === null) return <span className="text-slate-600">Not crawled yet</span>;
  return (
    <span className="text-red-700" title={crawl.lastError ?? undefined}>
      Crawl {crawl.lastStatus.toLowerCase()}
      {crawl.lastError ? `: ${crawl.lastError}` : ""}
    </span>
  );
}
