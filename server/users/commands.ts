import { z } from "zod";
import { AppError } from "@/lib/errors";
import { roles } from "@/lib/permissions";
import { defineCommand } from "@/server/auth/action";
import { createUser, getUser, setUserActive, setUserRole } from "./store";

// What admins do to the users of their own organization. The organization always comes from
// the actor, never from the input, so no form field can reach another organization's users.

const userId = z.string().uuid("Pick a user.");
const role = z.enum(roles, { message: "Pick a role." });

export const userInputSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter an e-mail address.").max(254),
  name: z.string().trim().min(1, "Enter a name.").max(120),
  role,
  password: z.string().min(10, "Use at least 10 characters.").max(200),
});

async function requireUser(orgId: string, userId: string) {
  const user = await getUser({ orgId, userId });
  if (!user) throw new AppError("not_found", "No such user in your organization.");
  return user;
}

export const addUserCommand = defineCommand({
  action: "users.add",
  permission: "users.manage",
  schema: userInputSchema,
  revalidate: ["/users"],
  async run(input, actor) {
    const user = await createUser({ orgId: actor.orgId, ...input });
    return `Added ${user.email}.`;
  },
});

export const changeRoleCommand = defineCommand({
  action: "users.changeRole",
  permission: "users.manage",
  schema: z.object({ userId: userId, role }),
  revalidate: ["/users"],
  async run({ userId, role }, actor) {
    // An admin who demoted themselves could leave the organization with no admin at all.
    if (userId === actor.userId) throw new AppError("conflict", "You cannot change your own role; ask another admin.");
    await requireUser(actor.orgId, userId);
    const user = await setUserRole({ orgId: actor.orgId, userId, role });
    return `${user!.email} is now ${role.replace("_", " ")}.`;
  },
});

export const deactivateUserCommand = defineCommand({
  action: "users.deactivate",
  permission: "users.manage",
  schema: z.object({ userId: userId }),
  revalidate: ["/users"],
  async run({ userId }, actor) {
    if (userId === actor.userId) throw new AppError("conflict", "You cannot deactivate yourself.");
    await requireUser(actor.orgId, userId);
    const user = await setUserActive({ orgId: actor.orgId, userId, active: false });
    return `${user!.email} can no longer sign in.`;
  },
});

export const reactivateUserCommand = defineCommand({
  action: "users.reactivate",
  permission: "users.manage",
  schema: z.object({ userId: userId }),
  revalidate: ["/users"],
  async run({ userId }, actor) {
    await requireUser(actor.orgId, userId);
    const user = await setUserActive({ orgId: actor.orgId, userId, active: true });
    return `${user!.email} can sign in again.`;
  },
});
