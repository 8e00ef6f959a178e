"use client";

import { SectionError } from "@/components/shell/section-error";

export default function QueryLogsError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="The query logs could not be loaded" error={error} reset={reset} />;
}
