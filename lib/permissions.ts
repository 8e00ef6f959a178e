// The one table of who may do what. The server refuses with it; the UI hides or disables with it.
export const roles = ["admin", "data_owner", "analyst"] as const;
export type Role = (typeof roles)[number];

export const roleLabels: Record<Role, string> = {
  admin: "Admin",
  data_owner: "Data owner",
  analyst: "Analyst",
};

const everyone: readonly Role[] = roles;

export const permissionTable = {
  "home.view": everyone,
  "datasets.manage": ["admin", "data_owner"],
  "configuredTables.manage": ["admin", "data_owner"],
  "collaborations.view": everyone,
  "collaborations.manage": ["admin"],
  "collaborations.associate": ["admin", "data_owner"],
  "queries.run": ["admin", "analyst"],
  "queryLogs.view": ["admin"],
  "audit.view": ["admin"],
  "users.view": ["admin"],
  "users.manage": ["admin"],
  "settings.manage": ["admin"],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionTable;

export function can(role: Role, permission: Permission): boolean {
  return (permissionTable[permission] as readonly Role[]).includes(role);
}
