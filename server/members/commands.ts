import { z } from "zod";
import { AppError } from "@/lib/errors";
import { roles } from "@/lib/permissions";
import { defineCommand } from "@/server/auth/action";
import { createMember, getMember, setMemberActive, setMemberRole } from "./store";

// What admins do to the members of their own organization. The organization always comes from
// the actor, never from the input, so no form field can reach another organization's users.

const memberId = z.string().uuid("Pick a member.");
const role = z.enum(roles, { message: "Pick a role." });

export const memberInputSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter an e-mail address.").max(254),
  name: z.string().trim().min(1, "Enter a name.").max(120),
  role,
  password: z.string().min(10, "Use at least 10 characters.").max(200),
});

async function requireMember(orgId: string, userId: string) {
  const member = await getMember({ orgId, userId });
  if (!member) throw new AppError("not_found", "No such member in your organization.");
  return member;
}

export const addMemberCommand = defineCommand({
  permission: "members.manage",
  schema: memberInputSchema,
  revalidate: ["/members"],
  async run(input, actor) {
    const member = await createMember({ orgId: actor.orgId, ...input });
    return `Added ${member.email}.`;
  },
});

export const changeRoleCommand = defineCommand({
  permission: "members.manage",
  schema: z.object({ userId: memberId, role }),
  revalidate: ["/members"],
  async run({ userId, role }, actor) {
    // An admin who demoted themselves could leave the organization with no admin at all.
    if (userId === actor.userId) throw new AppError("conflict", "You cannot change your own role; ask another admin.");
    await requireMember(actor.orgId, userId);
    const member = await setMemberRole({ orgId: actor.orgId, userId, role });
    return `${member!.email} is now ${role.replace("_", " ")}.`;
  },
});

export const deactivateMemberCommand = defineCommand({
  permission: "members.manage",
  schema: z.object({ userId: memberId }),
  revalidate: ["/members"],
  async run({ userId }, actor) {
    if (userId === actor.userId) throw new AppError("conflict", "You cannot deactivate yourself.");
    await requireMember(actor.orgId, userId);
    const member = await setMemberActive({ orgId: actor.orgId, userId, active: false });
    return `${member!.email} can no longer sign in.`;
  },
});

export const reactivateMemberCommand = defineCommand({
  permission: "members.manage",
  schema: z.object({ userId: memberId }),
  revalidate: ["/members"],
  async run({ userId }, actor) {
    await requireMember(actor.orgId, userId);
    const member = await setMemberActive({ orgId: actor.orgId, userId, active: true });
    return `${member!.email} can sign in again.`;
  },
});
