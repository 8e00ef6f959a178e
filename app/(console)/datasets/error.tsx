"use client";

import { SectionError } from "@/components/shell/section-error";

export default function DatasetsError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="Your datasets could not be loaded" error={error} reset={reset} />;
}
