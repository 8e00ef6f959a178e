"use client";

import { useState } from "react";
import type { RolePolicies } from "@/lib/iam-policies";

// The IAM role a step needs on AWS, with its trust and permission policies to copy into IAM.
// In local mode the local cloud needs no roles; the policies are shown for the day the
// organization runs the same setup on AWS.

function CopyableJson({ label, value }: { label: string; value: unknown }) {
  const text = JSON.stringify(value, null, 2);
  const [copied, setCopied] = useState(false);
  return (
    <div>
      <div className="flex items-center justify-between">
        <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">{label}</h4>
        <button
          type="button"
          className="rounded border border-slate-300 px-2 py-0.5 text-xs text-slate-700 hover:bg-slate-50"
          onClick={() => void navigator.clipboard.writeText(text).then(() => setCopied(true))}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <pre tabIndex={0} className="mt-1 max-h-64 overflow-auto rounded-md border border-slate-200 bg-slate-50 p-2 text-xs" aria-label={label}>
        {text}
      </pre>
    </div>
  );
}

export { CopyableJson };

export function RolePoliciesView({ roles, accountId }: { roles: RolePolicies[]; accountId: string }) {
  return (
    <div className="space-y-3">
      {roles.map((role) => (
        <details key={role.use} className="rounded-md border border-slate-200 bg-white p-3 text-sm">
          <summary className="cursor-pointer font-medium">
            On AWS: the {role.title} role{" "}
            <span className="font-mono text-xs text-slate-600">
              arn:aws:iam::{accountId}:role/{role.roleName}
            </span>
          </summary>
          <p className="mt-2 text-slate-600">{role.purpose} Create it in IAM with these two policies; they name only your organization&apos;s own buckets and database.</p>
          <div className="mt-2 grid gap-3 lg:grid-cols-2">
            <CopyableJson label={`Trust policy (${role.title})`} value={role.trustPolicy} />
            <CopyableJson label={`Permission policy (${role.title})`} value={role.permissionPolicy} />
          </div>
        </details>
      ))}
    </div>
  );
}
