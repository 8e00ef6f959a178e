"use client";

import { Button } from "@/components/ui/button";

// Shown when the datasets could not be read (the storage endpoint down, say). The message is the
// one the server chose for users; details stay in the server log.
export default function DatasetsError({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <section role="alert" className="rounded-lg border border-red-200 bg-red-50 p-6">
      <h1 className="text-lg font-semibold text-red-900">Your datasets could not be loaded</h1>
      <p className="mt-1 text-sm text-red-800">{error.message || "Something went wrong while reading your datasets."} Try again in a moment.</p>
      <Button type="button" variant="secondary" className="mt-4" onClick={reset}>
        Try again
      </Button>
    </section>
  );
}
