"use client";

import { SectionError } from "@/components/shell/section-error";

export default function CollaborationsError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="Your collaborations could not be loaded" error={error} reset={reset} />;
}
