/** What a section shows while its page loads: the page's outline, announced to screen readers. */
export function SectionLoading({ what }: { what: string }) {
  return (
    <div role="status" aria-live="polite" className="animate-pulse space-y-4">
      <div className="h-7 w-48 rounded bg-slate-200" />
      <div className="h-4 w-96 max-w-full rounded bg-slate-200" />
      <div className="h-40 rounded-lg bg-slate-100" />
      <span className="sr-only">Loading {what}…</span>
    </div>
  );
}
