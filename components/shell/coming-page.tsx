import { PageHeader } from "@/components/ui/page-header";

/** A navigation target whose feature arrives in a later release: it says what will be here. */
export function ComingPage({ title, summary, points }: { title: string; summary: string; points: string[] }) {
  return (
    <>
      <PageHeader title={title} description={summary} />
      <section className="rounded-lg border border-dashed border-slate-300 bg-white p-6">
        <h2 className="text-sm font-semibold text-slate-700">What this page will hold</h2>
        <ul className="mt-3 list-disc space-y-1 pl-5 text-sm text-slate-600">
          {points.map((point) => (
            <li key={point}>{point}</li>
          ))}
        </ul>
      </section>
    </>
  );
}
