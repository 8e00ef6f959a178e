import { beforeAll, expect, it } from "vitest";
import { runCommand } from "@/server/auth/action";
import type { Actor } from "@/server/auth/session";
import { seedDemo } from "@/server/seed/demo";
import { actorFor } from "@/server/testing/actors";
import { describeEachDatabase } from "@/server/testing/databases";
import { addUserCommand, changeRoleCommand, deactivateUserCommand, reactivateUserCommand } from "./commands";
import { findUserForSignIn, getUser, listUsers } from "./store";

describeEachDatabase("users", () => {
  let adminA: Actor;
  let analystA: Actor;
  let orgBAnalystId: string;
  let orgAOwnerId: string;

  beforeAll(async () => {
    await seedDemo();
    adminA = await actorFor("admin@org-a.example");
    analystA = await actorFor("analyst@org-a.example");
    orgBAnalystId = (await findUserForSignIn({ email: "analyst@org-b.example" }))!.user.id;
    orgAOwnerId = (await findUserForSignIn({ email: "owner@org-a.example" }))!.user.id;
  });

  it("lists only the admin's own organization", async () => {
    const emails = (await listUsers({ orgId: adminA.orgId })).map((m) => m.email);
    expect(emails).toEqual(["admin@org-a.example", "analyst@org-a.example", "owner@org-a.example"]);
    expect(await getUser({ orgId: adminA.orgId, userId: orgBAnalystId })).toBeUndefined();
  });

  it("never lets an org-a admin change an org-b user, through any action", async () => {
    for (const [command, input] of [
      [changeRoleCommand, { userId: orgBAnalystId, role: "admin" }],
      [deactivateUserCommand, { userId: orgBAnalystId }],
      [reactivateUserCommand, { userId: orgBAnalystId }],
    ] as const) {
      const state = await runCommand(adminA, command, input);
      expect(state).toMatchObject({ status: "error", message: "No such user in your organization." });
    }
    const orgBAnalyst = await findUserForSignIn({ email: "analyst@org-b.example" });
    expect(orgBAnalyst?.user).toMatchObject({ role: "analyst", active: true });
  });

  it("adds users to the admin's organization only, whatever the form says", async () => {
    const state = await runCommand(adminA, addUserCommand, {
      email: "New.Person@Org-A.example",
      name: "New Person",
      role: "analyst",
      password: "long-enough-password",
      organizationId: "someone-elses-org",
    });
    expect(state).toEqual({ status: "success", message: "Added new.person@org-a.example." });
    const added = await findUserForSignIn({ email: "new.person@org-a.example" });
    expect(added?.organization.slug).toBe("org-a");
  });

  it("refuses an e-mail that is already in use, in any organization", async () => {
    const state = await runCommand(adminA, addUserCommand, {
      email: "analyst@org-b.example",
      name: "Copy",
      role: "analyst",
      password: "long-enough-password",
    });
    expect(state).toMatchObject({ status: "error", fieldErrors: { email: ["This e-mail is already in use."] } });
    expect(state.values).toEqual({ email: "analyst@org-b.example", name: "Copy", role: "analyst" });
  });

  it("explains each invalid field and never echoes the password", async () => {
    const state = await runCommand(adminA, addUserCommand, { email: "nope", name: "", role: "owner", password: "short" });
    expect(state.status).toBe("error");
    expect(Object.keys(state.fieldErrors ?? {}).sort()).toEqual(["email", "name", "password", "role"]);
    expect(state.values).not.toHaveProperty("password");
  });

  it("refuses users.manage to an analyst and to a missing session", async () => {
    expect(await runCommand(analystA, deactivateUserCommand, { userId: orgAOwnerId })).toMatchObject({
      status: "error",
      message: "Your role does not allow this action.",
    });
    expect(await runCommand(null, deactivateUserCommand, { userId: orgAOwnerId })).toMatchObject({
      status: "error",
      message: "Your session has ended. Sign in again.",
    });
    expect((await getUser({ orgId: adminA.orgId, userId: orgAOwnerId }))?.active).toBe(true);
  });

  it("changes a role, deactivates and reactivates within the organization", async () => {
    expect(await runCommand(adminA, changeRoleCommand, { userId: orgAOwnerId, role: "analyst" })).toMatchObject({ status: "success" });
    expect((await getUser({ orgId: adminA.orgId, userId: orgAOwnerId }))?.role).toBe("analyst");
    expect(await runCommand(adminA, deactivateUserCommand, { userId: orgAOwnerId })).toMatchObject({ status: "success" });
    expect((await getUser({ orgId: adminA.orgId, userId: orgAOwnerId }))?.active).toBe(false);
    expect(await runCommand(adminA, reactivateUserCommand, { userId: orgAOwnerId })).toMatchObject({ status: "success" });
    expect((await getUser({ orgId: adminA.orgId, userId: orgAOwnerId }))?.active).toBe(true);
  });

  it("keeps an admin from demoting or deactivating themselves", async () => {
    expect(await runCommand(adminA, changeRoleCommand, { userId: adminA.userId, role: "analyst" })).toMatchObject({ status: "error" });
    expect(await runCommand(adminA, deactivateUserCommand, { userId: adminA.userId })).toMatchObject({ status: "error" });
    expect(await getUser({ orgId: adminA.orgId, userId: adminA.userId })).toMatchObject({ role: "admin", active: true });
  });

  it("rejects ids that are not user ids without touching the store", async () => {
    const state = await runCommand(adminA, deactivateUserCommand, { userId: "'; drop table users; --" });
    expect(state).toMatchObject({ status: "error", fieldErrors: { userId: ["Pick a user."] } });
  });
});
