import { describe, expect, it } from "vitest";
import { navItems } from "./navigation";
import { can, permissionTable, roles } from "./permissions";

describe("permission table", () => {
  it("gives each role the navigation the console promises", () => {
    const visible = (role: (typeof roles)[number]) => navItems.filter((item) => can(role, item.permission)).map((item) => item.label);
    expect(visible("admin")).toEqual(["Home", "Datasets", "Configured tables", "Collaborations", "Query workbench", "Query logs", "Audit log", "Users", "Settings"]);
    expect(visible("data_owner")).toEqual(["Home", "Datasets", "Configured tables", "Collaborations"]);
    expect(visible("analyst")).toEqual(["Home", "Collaborations", "Query workbench"]);
  });

  it("lets only admins manage users and read query logs", () => {
    for (const permission of ["users.view", "users.manage", "queryLogs.view", "audit.view", "settings.manage"] as const) {
      expect(roles.filter((role) => can(role, permission))).toEqual(["admin"]);
    }
  });

  it("lets admins create, join and leave collaborations, and data owners associate tables", () => {
    expect(roles.filter((role) => can(role, "collaborations.manage"))).toEqual(["admin"]);
    expect(roles.filter((role) => can(role, "collaborations.associate"))).toEqual(["admin", "data_owner"]);
    expect(roles.filter((role) => can(role, "collaborations.view"))).toEqual(["admin", "data_owner", "analyst"]);
  });

  it("grants admins every permission", () => {
    for (const permission of Object.keys(permissionTable) as (keyof typeof permissionTable)[]) {
      expect(can("admin", permission)).toBe(true);
    }
  });
});
