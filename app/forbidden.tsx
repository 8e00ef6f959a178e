import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="mx-auto max-w-lg px-4 py-24 text-center">
      <p className="text-sm font-semibold text-red-600">403</p>
      <h1 className="mt-2 text-2xl font-semibold">You do not have access to this page</h1>
      <p className="mt-2 text-sm text-slate-600">Your role in this organization does not include it. Ask an admin if you need it.</p>
      <Link href="/" className="mt-6 inline-block text-sm font-medium text-brand-600 hover:underline">
        Back to Home
      </Link>
    </main>
  );
}
