"use client";

import { useActionState } from "react";
import { changeRole, deactivateUser, reactivateUser } from "@/app/(console)/users/actions";
import { Button } from "@/components/ui/button";
import { idleState } from "@/lib/form-state";
import { roleLabels, roles, type Role } from "@/lib/permissions";

interface UserView {
  id: string;
  name: string;
  email: string;
  role: Role;
  active: boolean;
}

export function UserRow({ user, canManage, isSelf }: { user: UserView; canManage: boolean; isSelf: boolean }) {
  const [roleState, roleAction, rolePending] = useActionState(changeRole, idleState);
  const [activeState, activeAction, activePending] = useActionState(user.active ? deactivateUser : reactivateUser, idleState);
  const locked = !canManage || isSelf;
  const message = [roleState, activeState].find((s) => s.status === "error")?.message;
  return (
    <tr data-testid={`user-${user.email}`} className={user.active ? "" : "text-slate-500"}>
      <td className="px-4 py-3 font-medium">
        {user.name}
        {isSelf && <span className="ml-2 text-xs text-slate-500">(you)</span>}
      </td>
      <td className="px-4 py-3">{user.email}</td>
      <td className="px-4 py-3">
        {/* Keyed by role so that, after a change, the select starts from the role the server now holds. */}
        <form key={user.role} action={roleAction} className="flex items-center gap-2">
          <input type="hidden" name="userId" value={user.id} />
          <label htmlFor={`role-${user.id}`} className="sr-only">
            Role of {user.email}
          </label>
          <select id={`role-${user.id}`} name="role" defaultValue={user.role} disabled={locked} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm disabled:bg-slate-50">
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
      <td className="px-4 py-3">{user.active ? "Active" : "Deactivated"}</td>
      <td className="px-4 py-3 text-right">
        {!locked && (
          <form action={activeAction}>
            <input type="hidden" name="userId" value={user.id} />
            <Button type="submit" variant={user.active ? "danger" : "secondary"} className="px-2 py-1" disabled={activePending}>
              {user.active ? "Deactivate" : "Reactivate"}
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
