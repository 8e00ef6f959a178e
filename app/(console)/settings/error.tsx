"use client";

import { SectionError } from "@/components/shell/section-error";

export default function SettingsError({ error, reset }: { error: Error; reset: () => void }) {
  return <SectionError title="Your organization's settings could not be loaded" error={error} reset={reset} />;
}
