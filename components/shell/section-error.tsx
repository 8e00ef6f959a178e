"use client";

import { Button } from "@/components/ui/button";

/**
 * What a section shows when its page could not be built (the cloud endpoint down, say). The
 * message is the one the server chose for users; details stay in the server log.
 */
export function SectionError({ title, error, reset }: { title: string; error: Error; reset: () => void }) {
  return (
    <section role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6">
      <h1 className="text-lg font-semibold text-red-900">{title}</h1>
      <p className="mt-1 text-sm text-red-800">{error.message || "Something went wrong."} Try again in a moment.</p>
      <Button type="button" variant="secondary" className="mt-4" onClick={reset}>
        Try again
      </Button>
    </section>
  );
}
