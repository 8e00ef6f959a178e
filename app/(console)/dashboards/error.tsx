"use client";

import { SectionError } from "@/components/shell/section-error";

export default function DashboardError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="The dashboard could not be drawn" error={error} reset={reset} />;
}
