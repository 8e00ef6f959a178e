import { and, asc, eq, gt, isNull } from "drizzle-orm";
import { AppError } from "@/lib/errors";
import type { Role } from "@/lib/permissions";
import { getDb } from "@/server/db/client";
import { consoleSessions, organizations, users, type User as UserRow } from "@/server/db/schema";
import { endUserSessions, sessionsValidSince } from "./sessions";
import { hashPassword } from "@/server/auth/password";

// Every query that touches another user is scoped by organization in its WHERE clause:
// an id from another organization simply matches nothing.

/** A console user as pages and commands see them: never with the password hash. */
export type UserProfile = Omit<UserRow, "passwordHash">;

const userColumns = {
  id: users.id,
  organizationId: users.organizationId,
  email: users.email,
  name: users.name,
  role: users.role,
  active: users.active,
  createdAt: users.createdAt,
  updatedAt: users.updatedAt,
};

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function listUsers({ orgId }: { orgId: string }): Promise<UserProfile[]> {
  const db = await getDb();
  return db.select(userColumns).from(users).where(eq(users.organizationId, orgId)).orderBy(asc(users.email));
}

export async function getUser({ orgId, userId }: { orgId: string; userId: string }): Promise<UserProfile | undefined> {
  const db = await getDb();
  const [row] = await db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.organizationId, orgId), eq(users.id, userId)));
  return row;
}

export async function createUser(input: { orgId: string; email: string; name: string; role: Role; password: string | null }): Promise<UserProfile> {
  const db = await getDb();
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const [row] = await db
    .insert(users)
    .values({ organizationId: input.orgId, email: normalizeEmail(input.email), name: input.name, role: input.role, passwordHash })
    .onConflictDoNothing({ target: users.email })
    .returning(userColumns);
  // E-mails are unique across organizations: one address signs in to one organization.
  if (!row) throw new AppError("conflict", "A user with this e-mail already exists.", { email: ["This e-mail is already in use."] });
  return row;
}

/** Changes a user's role; a change ends their sessions, so they sign in again under the new role. */
export async function setUserRole({ orgId, userId, role }: { orgId: string; userId: string; role: Role }) {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [before] = await tx
      .select({ role: users.role })
      .from(users)
      .where(and(eq(users.organizationId, orgId), eq(users.id, userId)))
      .for("update");
    const [row] = await tx
      .update(users)
      .set({ role })
      .where(and(eq(users.organizationId, orgId), eq(users.id, userId)))
      .returning(userColumns);
    if (row && before?.role !== role) await endUserSessions({ userId }, tx);
    return row;
  });
}

/** Activates or deactivates a user; deactivation ends their sessions. */
export async function setUserActive({ orgId, userId, active }: { orgId: string; userId: string; active: boolean }) {
  const db = await getDb();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ active })
      .where(and(eq(users.organizationId, orgId), eq(users.id, userId)))
      .returning(userColumns);
    if (row && !active) await endUserSessions({ userId }, tx);
    return row;
  });
}

/** The user and organization behind a sign-in; not scoped, because the caller is not yet known. */
export async function findUserForSignIn({ email }: { email: string }) {
  const db = await getDb();
  const [row] = await db
    .select({ user: users, organization: organizations })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.email, normalizeEmail(email)));
  return row;
}

/** The signed-in user as the store knows them now, if their session has not ended (server/users/sessions.ts). */
export async function findSessionUser({ userId, sessionId }: { userId: string; sessionId: string }) {
  const db = await getDb();
  const [row] = await db
    .select({ user: userColumns, organization: organizations })
    .from(consoleSessions)
    .innerJoin(users, eq(users.id, consoleSessions.userId))
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(and(eq(consoleSessions.id, sessionId), eq(consoleSessions.userId, userId), isNull(consoleSessions.endedAt), gt(consoleSessions.createdAt, sessionsValidSince())));
  return row;
}
