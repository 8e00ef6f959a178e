"use client";

import { SectionError } from "@/components/shell/section-error";

export default function AuditError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="The audit log could not be loaded" error={error} reset={reset} />;
}
