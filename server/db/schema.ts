import { sql } from "drizzle-orm";
import { bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, serial, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { roles } from "@/lib/permissions";

export const roleEnum = pgEnum("role", roles);

export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
  // Each organization is one AWS account and one Clean Rooms member.
  awsAccountId: text("aws_account_id").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

// How the console obtains an organization's AWS credentials in aws mode: a role in the
// organization's account that trusts the console's principal with this external id (set by the
// console, unique per organization, so no other customer of the same console can have it assume
// the role), or the server's own default credential chain (only for the account the server runs in).
export const awsCredentialSourceEnum = pgEnum("aws_credential_source", ["assume_role", "default_chain"]);

export const organizationAwsAccess = pgTable("organization_aws_access", {
  organizationId: uuid("organization_id")
    .primaryKey()
    .references(() => organizations.id),
  credentialSource: awsCredentialSourceEnum("credential_source").notNull().default("assume_role"),
  roleArn: text("role_arn"),
  externalId: text("external_id").notNull(),
  region: text("region").notNull(),
  /** The last successful "Test connection": when, and the caller it reported. */
  testedAt: timestamp("tested_at", { withTimezone: true }),
  testedArn: text("tested_arn"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type OrganizationAwsAccess = typeof organizationAwsAccess.$inferSelect;

export type Organization = typeof organizations.$inferSelect;
export type NewOrganization = typeof organizations.$inferInsert;

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    organizationId: uuid("organization_id")
      .notNull()
      .references(() => organizations.id),
    // Stored lower-cased: sign-in and OIDC matching compare e-mails case-insensitively.
    email: text("email").notNull().unique(),
    name: text("name").notNull(),
    role: roleEnum("role").notNull(),
    // Null for users who only sign in through the OIDC provider.
    passwordHash: text("password_hash"),
    active: boolean("active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true })
      .notNull()
      .defaultNow()
      .$onUpdate(() => sql`now()`),
  },
  (t) => [index("users_organization_idx").on(t.organizationId)],
);

export type User = typeof users.$inferSelect;
export type NewUser = typeof users.$inferInsert;

// Console sessions, kept in the store so that every instance agrees when one ends: the signed
// cookie names its session, and a session counts only while its row says it has not ended.
// Signing out ends the session; deactivating a user or changing their role ends all of theirs.
export const consoleSessions = pgTable(
  "console_sessions",
  {
    id: text("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
  },
  (t) => [index("console_sessions_user_idx").on(t.userId)],
);

// Failed sign-ins, kept in the store (not in memory) so every console instance sees the same count.
export const signInFailures = pgTable(
  "sign_in_failures",
  {
    id: serial("id").primaryKey(),
    // "email:<address>" or "ip:<address>".
    key: text("key").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("sign_in_failures_key_at_idx").on(t.key, t.at)],
);

// The audit log: every state-changing action in the console, per organization, append-only. Each
// entry carries the hash of the one before it in its organization's chain and its own hash over
// both, so an edited, removed or reordered entry breaks the chain where it was changed.
export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    organizationId: uuid("organization_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    // Who acted: a user id and e-mail, or null for an anonymous attempt (a failed sign-in).
    userId: uuid("user_id"),
    userEmail: text("user_email").notNull(),
    // What: a dotted action name ("datasets.upload") and what it acted on.
    action: text("action").notNull(),
    target: text("target").notNull(),
    outcome: text("outcome").$type<"success" | "error">().notNull(),
    detail: jsonb("detail").$type<Record<string, unknown>>().notNull(),
    previousHash: text("previous_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [index("audit_log_organization_idx").on(t.organizationId, t.id)],
);

export type AuditEntry = typeof auditLog.$inferSelect;

// Protected queries started from the console: Clean Rooms knows the member that ran a query, the
// console records which of its users did, and what came of it, for the query logs.
export const consoleQueries = pgTable(
  "console_queries",
  {
    // The protected query's id in Clean Rooms.
    id: text("id").primaryKey(),
    organizationId: uuid("organization_id").notNull(),
    userId: uuid("user_id").notNull(),
    userEmail: text("user_email").notNull(),
    collaborationId: text("collaboration_id").notNull(),
    membershipId: text("membership_id").notNull(),
    sql: text("sql").notNull(),
    // For a query of an analysis template: its name and the parameter values given.
    templateName: text("template_name"),
    parameters: jsonb("parameters").$type<Record<string, string>>(),
    status: text("status").notNull(),
    error: text("error"),
    rows: integer("rows"),
    // For a query on differentially private tables: its noisy measurements and the noise then in
    // force; it spent measurements / usersNoise of the collaboration's epsilon (docs/privacy.md).
    privacyMeasurements: integer("privacy_measurements"),
    privacyUsersNoise: integer("privacy_users_noise"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [index("console_queries_organization_idx").on(t.organizationId, t.startedAt), index("console_queries_user_idx").on(t.userId, t.startedAt)],
);

export type ConsoleQuery = typeof consoleQueries.$inferSelect;

// An organization's own settings for a collaboration it belongs to (each member keeps its own).
export const collaborationSettings = pgTable(
  "collaboration_settings",
  {
    organizationId: uuid("organization_id").notNull(),
    collaborationId: text("collaboration_id").notNull(),
    // The QuickSight dashboard the organization publishes this collaboration's results to.
    quicksightDashboardUrl: text("quicksight_dashboard_url"),
    // The query the workbench's editor opens with for the organization's analysts.
    suggestedSql: text("suggested_sql"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.collaborationId] })],
);
