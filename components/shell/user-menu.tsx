import { signOutAction } from "@/app/sign-in/actions";
import { roleLabels, type Role } from "@/lib/permissions";

// A <details> menu: it opens without client JavaScript, and sign-out is a plain form post.
export function UserMenu({ name, email, role }: { name: string; email: string; role: Role }) {
  return (
    <details className="relative">
      <summary className="flex cursor-pointer list-none items-center gap-2 rounded-md px-3 py-2 text-sm hover:bg-slate-100">
        <span className="flex h-7 w-7 items-center justify-center rounded-full bg-brand-600 text-xs font-semibold text-white" aria-hidden>
          {name.slice(0, 1).toUpperCase()}
        </span>
        <span className="font-medium">{email}</span>
        <span className="sr-only">Open user menu</span>
      </summary>
      <div className="absolute right-0 z-10 mt-1 w-64 rounded-md border border-slate-200 bg-white p-3 shadow-lg">
        <p className="text-sm font-medium">{name}</p>
        <p className="text-xs text-slate-500">{roleLabels[role]}</p>
        <form action={signOutAction} className="mt-3">
          <button type="submit" className="w-full rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50">
            Sign out
          </button>
        </form>
      </div>
    </details>
  );
}
