import type { Metadata } from "next";
import { AddMemberForm } from "@/components/members/add-member-form";
import { MemberRow } from "@/components/members/member-row";
import { PageHeader } from "@/components/ui/page-header";
import { can } from "@/lib/permissions";
import { requirePage } from "@/server/auth/session";
import { listMembers } from "@/server/members/store";

export const metadata: Metadata = { title: "Members" };

export default async function MembersPage() {
  const actor = await requirePage("members.view", "/members");
  const members = await listMembers({ orgId: actor.orgId });
  const canManage = can(actor.role, "members.manage");
  return (
    <>
      <PageHeader title="Members" description={`The people of ${actor.orgName} who may sign in, and their roles.`} />
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
            {members.map((member) => (
              <MemberRow
                key={member.id}
                member={{ id: member.id, name: member.name, email: member.email, role: member.role, active: member.active }}
                canManage={canManage}
                isSelf={member.id === actor.userId}
              />
            ))}
          </tbody>
        </table>
      </div>
      {canManage && (
        <section className="mt-8 max-w-xl rounded-lg border border-slate-200 bg-white p-6">
          <h2 className="text-lg font-semibold">Add a member</h2>
          <p className="mb-4 mt-1 text-sm text-slate-600">They sign in with this e-mail and the initial password you give them.</p>
          <AddMemberForm />
        </section>
      )}
    </>
  );
}
