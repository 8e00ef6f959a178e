"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { pollDelay, type PollingPace } from "@/lib/polling";
import type { Dataset } from "@/lib/datasets";

const labels: Record<string, string> = { RUNNING: "Cataloguing…", STOPPING: "Stopping…", NONE: "Not catalogued" };

/**
 * A dataset's crawl state, polled while a crawl runs (at the local cloud's pace or AWS's, backing
 * off after failed answers); when it ends, the page is refreshed so the columns the crawl found appear.
 */
export function CrawlStatus({ initial, pace }: { initial: Dataset; pace: PollingPace }) {
  const [since] = useState(() => Date.now());
  const router = useRouter();
  const { data } = useQuery({
    queryKey: ["dataset", initial.name],
    queryFn: async (): Promise<Dataset> => {
      const response = await fetch(`/api/datasets?${new URLSearchParams({ name: initial.name })}`);
      if (!response.ok) throw new Error(`status ${response.status}`);
      return ((await response.json()) as { dataset: Dataset }).dataset;
    },
    initialData: initial,
    refetchInterval: (query) =>
      query.state.data?.crawl.state === "READY" || query.state.data?.crawl.state === "NONE" ? false : Math.max(1_000, pollDelay(pace, Date.now() - since, query.state.fetchFailureCount)),
    retry: false,
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
