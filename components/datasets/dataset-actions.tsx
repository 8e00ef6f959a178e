"use client";

import { useActionState, useState } from "react";
import { crawlDataset, deleteDataset } from "@/app/(console)/datasets/actions";
import { Button } from "@/components/ui/button";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/** Crawl again, and delete with a confirmation step that names what is deleted. */
export function DatasetActions({ name }: { name: string }) {
  const [crawlState, crawl, crawling] = useActionState(crawlDataset, idleState);
  const [deleteState, remove, deleting] = useActionState(deleteDataset, idleState);
  const [confirming, setConfirming] = useState(false);
  return (
    <div className="space-y-3">
      <FormMessage state={crawlState} />
      <FormMessage state={deleteState} />
      <div className="flex flex-wrap gap-2">
        <form action={crawl}>
          <input type="hidden" name="name" value={name} />
          <Button type="submit" variant="secondary" disabled={crawling}>
            {crawling ? "Starting…" : "Crawl again"}
          </Button>
        </form>
        {!confirming ? (
          <Button type="button" variant="danger" onClick={() => setConfirming(true)}>
            Delete dataset
          </Button>
        ) : (
          <form action={remove} className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2" role="group" aria-label="Confirm deletion">
            <input type="hidden" name="name" value={name} />
            <span className="text-sm text-red-800">Delete &quot;{name}&quot;, every version of its file and its catalogue table? This cannot be undone.</span>
            <Button type="submit" variant="danger" disabled={deleting}>
              {deleting ? "Deleting…" : "Yes, delete"}
            </Button>
            <Button type="button" variant="secondary" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </form>
        )}
      </div>
    </div>
  );
}
