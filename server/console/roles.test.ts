import { beforeAll, expect, it } from "vitest";
import { can, roles, type Permission, type Role } from "@/lib/permissions";
import { runCommand, type Command } from "@/server/auth/action";
import type { Actor } from "@/server/auth/actor";
import * as audit from "@/server/audit/commands";
import * as collaborations from "@/server/collaborations/commands";
import * as configuredTables from "@/server/configured-tables/commands";
import * as datasets from "@/server/datasets/commands";
import * as organizations from "@/server/organizations/commands";
import * as queries from "@/server/queries/commands";
import * as quicksight from "@/server/quicksight/commands";
import * as users from "@/server/users/commands";
import { seedDemo } from "@/server/seed/demo";
import { actorFor } from "@/server/testing/actors";
import { describeEachDatabase } from "@/server/testing/databases";

// Every console command against every role, from this table of what each command needs, written
// apart from the commands themselves: a command whose permission was loosened, or a new command
// nobody listed here, fails. lib/permissions.ts says which roles hold each permission.
const needs: Record<string, Permission> = {
  "audit.verify": "audit.view",
  "collaborations.create": "collaborations.manage",
  "collaborations.join": "collaborations.manage",
  "collaborations.associateTable": "collaborations.associate",
  "collaborations.removeTable": "collaborations.associate",
  "collaborations.leave": "collaborations.manage",
  "collaborations.delete": "collaborations.manage",
  "collaborations.setDashboard": "collaborations.manage",
  "collaborations.setSuggestedQuery": "collaborations.manage",
  "collaborations.setPrivacyBudget": "collaborations.manage",
  "configuredTables.create": "configuredTables.manage",
  "configuredTables.saveRule": "configuredTables.manage",
  "configuredTables.delete": "configuredTables.manage",
  "datasets.delete": "datasets.manage",
  "datasets.crawl": "datasets.manage",
  "queries.run": "queries.run",
  "queries.runTemplate": "queries.run",
  "queries.cancel": "queries.run",
  "queries.publishQuickSight": "queries.run",
  "settings.awsAccess": "settings.manage",
  "settings.testConnection": "settings.manage",
  "users.add": "users.manage",
  "users.changeRole": "users.manage",
  "users.deactivate": "users.manage",
  "users.reactivate": "users.manage",
};

const isCommand = (value: unknown): value is Command<never> => !!value && typeof value === "object" && "action" in value && "permission" in value && "schema" in value && "run" in value;
const commands = [audit, collaborations, configuredTables, datasets, organizations, queries, quicksight, users].flatMap((module) => Object.values(module).filter(isCommand));

describeEachDatabase("every command against every role", () => {
  const actors = {} as Record<Role, Actor>;
  beforeAll(async () => {
    await seedDemo();
    for (const role of roles) actors[role] = await actorFor(`${{ admin: "admin", data_owner: "owner", analyst: "analyst" }[role]}@org-b.example`);
  });

  it("lists every command, each with the permission this table gives it", () => {
    expect(commands.map((c) => c.action).sort()).toEqual(Object.keys(needs).sort());
    for (const command of commands) expect([command.action, command.permission]).toEqual([command.action, needs[command.action]]);
  });

  it("refuses each role that lacks the permission, before reading any input", async () => {
    for (const command of commands) {
      for (const role of roles.filter((r) => !can(r, needs[command.action]!))) {
        // Input that would pass any schema's first look: the refusal must not depend on it.
        const state = await runCommand(actors[role], command, { id: "x", name: "x", email: "x@org-b.example", userId: actors.admin.userId });
        expect([command.action, role, state.status, state.message]).toEqual([command.action, role, "error", "Your role does not allow this action."]);
      }
    }
  });
});
