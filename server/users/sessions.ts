import { randomBytes } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { getDb, type Db } from "@/server/db/client";
import { consoleSessions } from "@/server/db/schema";

// Console sessions in the store (server/db/schema.ts): the session cookie is signed, but it counts
// only while its session has not ended here, so sign-out, deactivation and role changes take
// effect on every instance at the next request.

/** A new session for a user who has just signed in; its id goes into the signed cookie. */
export async function startConsoleSession({ userId }: { userId: string }): Promise<string> {
  const db = await getDb();
  const id = randomBytes(24).toString("base64url");
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
