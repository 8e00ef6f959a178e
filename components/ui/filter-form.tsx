import Link from "next/link";
import type { ComponentProps, ReactNode } from "react";
import { Button } from "@/components/ui/button";

// The filter bar of a log page: a GET form (the filter lives in the URL, so a filtered view can be
// shared and paged), labelled fields, Filter, and a link that clears them all.

export function FilterForm({ label, clearHref, children }: { label: string; clearHref: string; children: ReactNode }) {
  return (
    <form className="mb-4 grid gap-3 rounded-lg border border-slate-200 bg-white p-4 text-sm sm:grid-cols-3 lg:grid-cols-6" aria-label={label}>
      {children}
      <div className="flex gap-2 sm:col-span-3 lg:col-span-6">
        <Button type="submit">Filter</Button>
        <Link href={clearHref} className="self-center text-brand-700 underline">
          Clear filters
        </Link>
      </div>
    </form>
  );
}

const control = "w-full rounded-md border border-slate-300 px-2 py-1.5";

export function FilterInput({ label, ...props }: { label: string } & ComponentProps<"input">) {
  return (
    <label className="space-y-1">
      <span className="block font-medium text-slate-700">{label}</span>
      <input className={control} {...props} />
    </label>
  );
}

export function FilterSelect({ label, options, ...props }: { label: string; options: readonly (readonly [string, string])[] } & ComponentProps<"select">) {
  return (
    <label className="space-y-1">
      <span className="block font-medium text-slate-700">{label}</span>
      <select className={control} {...props}>
        {options.map(([value, text]) => (
          <option key={value} value={value}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}
