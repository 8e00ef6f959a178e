import type { Permission } from "./permissions";

export interface NavItem {
  href: string;
  label: string;
  permission: Permission;
}

// Order is the order of the sidebar. Each page checks the same permission on the server.
export const navItems: readonly NavItem[] = [
  { href: "/", label: "Home", permission: "home.view" },
  { href: "/datasets", label: "Datasets", permission: "datasets.manage" },
  { href: "/configured-tables", label: "Configured tables", permission: "configuredTables.manage" },
  { href: "/collaborations", label: "Collaborations", permission: "collaborations.view" },
  { href: "/workbench", label: "Query workbench", permission: "queries.run" },
  { href: "/query-logs", label: "Query logs", permission: "queryLogs.view" },
  { href: "/audit", label: "Audit log", permission: "audit.view" },
  { href: "/users", label: "Users", permission: "users.view" },
  { href: "/settings", label: "Settings", permission: "settings.manage" },
];
