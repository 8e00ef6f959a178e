import { randomBytes } from "node:crypto";
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { getDb, type Db } from "@/server/db/client";
import { consoleSessions } from "@/server/db/schema";

// Console sessions in the store (server/db/schema.ts): the session cookie is signed, but it counts
// only while its session has not ended here, so sign-out, deactivation and role changes take
// effect on every instance at the next request.

/**
 * However it is renewed, a session ends this long after its sign-in; its row is then removed, as
 * are rows of sessions that ended more than a day ago, as new sessions start.
 */
export const SESSION_LIFETIME_MS = 30 * 24 * 3600 * 1000;

/** The oldest sign-in whose session may still count. */
export const sessionsValidSince = () => new Date(Date.now() - SESSION_LIFETIME_MS);

/** A new session for a user who has just signed in; its id goes into the signed cookie. */
export async function startConsoleSession({ userId }: { userId: string }): Promise<string> {
  const db = await getDb();
  const id = randomBytes(24).toString("base64url");
  await db.delete(consoleSessions).where(or(lt(consoleSessions.createdAt, sessionsValidSince()), lt(consoleSessions.endedAt, new Date(Date.now() - 24 * 3600 * 1000))));
  await db.insert(consoleSessions).values({ id, userId });
  return id;
}

/** Ends one session (sign-out). */
export async function endConsoleSession({ sessionId }: { sessionId: string }): Promise<void> {
  const db = await getDb();
  await db
    .update(consoleSessions)
    .set({ endedAt: new Date() })
    .where(and(eq(consoleSessions.id, sessionId), isNull(consoleSessions.endedAt)));
}

/** Ends every session of a user (deactivation, a role change), within the caller's transaction when given. */
export async function endUserSessions({ userId }: { userId: string }, within?: Db): Promise<void> {
  const db = within ?? (await getDb());
  await db
    .update(consoleSessions)
    .set({ endedAt: new Date() })
    .where(and(eq(consoleSessions.userId, userId), isNull(consoleSessions.endedAt)));
}
