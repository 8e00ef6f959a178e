"use client";

import { SectionError } from "@/components/shell/section-error";

export default function WorkbenchError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="The workbench could not be loaded" error={error} reset={reset} />;
}
