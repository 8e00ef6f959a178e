"use client";

import { SectionError } from "@/components/shell/section-error";

export default function UsersError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="Your organization's users could not be loaded" error={error} reset={reset} />;
}
