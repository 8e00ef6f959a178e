import type { Metadata } from "next";
import { AddUserForm } from "@/components/users/add-user-form";
import { UserRow } from "@/components/users/user-row";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/permissions";
import { requirePage } from "@/server/auth/session";
import { listUsers } from "@/server/users/store";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const actor = await requirePage("users.view", "/users");
  const users = await listUsers({ orgId: actor.orgId });
  const canManage = can(actor.role, "users.manage");
  return (
    <>
      <PageHeader title="Users" description={`The people of ${actor.orgName} who may sign in, and their roles.`} />
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full divide-y divide-slate-200 text-sm">
          <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
            <tr>
              <th scope="col" className="px-4 py-3">
                Name
              </th>
              <th scope="col" className="px-4 py-3">
                E-mail
              </th>
              <th scope="col" className="px-4 py-3">
                Role
              </th>
              <th scope="col" className="px-4 py-3">
                Status
              </th>
              <th scope="col" className="px-4 py-3">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {users.map((user) => (
              <UserRow key={user.id} user={{ id: user.id, name: user.name, email: user.email, role: user.role, active: user.active }} canManage={canManage} isSelf={user.id === actor.userId} />
            ))}
          </tbody>
        </table>
      </div>
      {canManage && (
        <section className="mt-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6">
          <h2 className="text-lg font-semibold">Add a user</h2>
          <p className="mb-4 mt-1 text-sm text-slate-600">They sign in with this e-mail and the initial password you give them.</p>
          <AddUserForm />
        </section>
      )}
    </>
  );
}
