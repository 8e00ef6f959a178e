"use client";

import { SectionError } from "@/components/shell/section-error";

export default function ConfiguredTablesError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="Your configured tables could not be loaded" error={error} reset={reset} />;
}
