"use client";

import { useActionState } from "react";
import { changeRole, deactivateMember, reactivateMember } from "@/app/(console)/members/actions";
import { Button } from "@/components/ui/button";
import { idleState } from "@/lib/form-state";
import { roleLabels, roles, type Role } from "@/lib/permissions";

interface MemberView {
  id: string;
  name: string;
  email: string;
  role: Role;
  active: boolean;
}

export function MemberRow({ member, canManage, isSelf }: { member: MemberView; canManage: boolean; isSelf: boolean }) {
  const [roleState, roleAction, rolePending] = useActionState(changeRole, idleState);
  const [activeState, activeAction, activePending] = useActionState(member.active ? deactivateMember : reactivateMember, idleState);
  const locked = !canManage || isSelf;
  const message = [roleState, activeState].find((s) => s.status === "error")?.message;
  return (
    <tr data-testid={`member-${member.email}`} className={member.active ? "" : "text-slate-400"}>
      <td className="px-4 py-3 font-medium">
        {member.name}
        {isSelf && <span className="ml-2 text-xs text-slate-500">(you)</span>}
      </td>
      <td className="px-4 py-3">{member.email}</td>
      <td className="px-4 py-3">
        {/* Keyed by role so that, after a change, the select starts from the role the server now holds. */}
        <form key={member.role} action={roleAction} className="flex items-center gap-2">
          <input type="hidden" name="userId" value={member.id} />
          <label htmlFor={`role-${member.id}`} className="sr-only">
            Role of {member.email}
          </label>
          <select id={`role-${member.id}`} name="role" defaultValue={member.role} disabled={locked} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm disabled:bg-slate-50">
            {roles.map((role) => (
              <option key={role} value={role}>
                {roleLabels[role]}
              </option>
            ))}
          </select>
          {!locked && (
            <Button type="submit" variant="secondary" className="px-2 py-1" disabled={rolePending}>
              Save
            </Button>
          )}
        </form>
      </td>
      <td className="px-4 py-3">{member.active ? "Active" : "Deactivated"}</td>
      <td className="px-4 py-3 text-right">
        {!locked && (
          <form action={activeAction}>
            <input type="hidden" name="userId" value={member.id} />
            <Button type="submit" variant={member.active ? "danger" : "secondary"} className="px-2 py-1" disabled={activePending}>
              {member.active ? "Deactivate" : "Reactivate"}
            </Button>
          </form>
        )}
        {message && (
          <p role="alert" className="mt-1 text-xs text-red-600">
            {message}
          </p>
        )}
      </td>
    </tr>
  );
}
