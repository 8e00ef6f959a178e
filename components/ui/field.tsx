import type { ComponentProps, ReactNode, SelectHTMLAttributes } from "react";

const control =
  "block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm focus:border-brand-500 focus:outline-none focus:ring-1 focus:ring-brand-500 aria-[invalid=true]:border-red-500";

interface FieldProps {
  id: string;
  label: string;
  errors?: string[];
  children: (aria: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ReactNode;
}

/** A label, a control and its errors, tied together with aria-describedby. */
export function Field({ id, label, errors, children }: FieldProps) {
  const errorId = `${id}-error`;
  const hasErrors = !!errors?.length;
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children({ id, "aria-describedby": hasErrors ? errorId : undefined, "aria-invalid": hasErrors || undefined })}
      {hasErrors && (
        <p id={errorId} className="text-sm text-red-600">
          {errors!.join(" ")}
        </p>
      )}
    </div>
  );
}

export function Input(props: ComponentProps<"input">) {
  return <input className={control} {...props} />;
}

export function Select(props: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select className={control} {...props} />;
}
