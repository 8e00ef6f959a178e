"use client";

import { useActionState } from "react";
import { crawlDataset, deleteDataset } from "@/app/(console)/datasets/actions";
import { Button } from "@/components/ui/button";
import { ConfirmAction } from "@/components/ui/confirm-action";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/** Crawl again, and delete with a confirmation step that names what is deleted. */
export function DatasetActions({ name }: { name: string }) {
  const [crawlState, crawl, crawling] = useActionState(crawlDataset, idleState);
  return (
    <div className="space-y-3">
      <FormMessage state={crawlState} />
      <div className="flex flex-wrap items-start gap-2">
        <form action={crawl}>
          <input type="hidden" name="name" value={name} />
          <Button type="submit" variant="secondary" disabled={crawling}>
            {crawling ? "Starting…" : "Crawl again"}
          </Button>
        </form>
        <ConfirmAction
          action={deleteDataset}
          fields={{ name }}
          label="Delete dataset"
          question={`Delete "${name}", every version of its file and its catalogue table? This cannot be undone.`}
          confirmLabel="Yes, delete"
          pendingLabel="Deleting…"
        />
      </div>
    </div>
  );
}
