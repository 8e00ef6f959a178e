import { eq, lt } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { newAccessKeyId, secretForAccessKey, sessionTokenForAccessKey } from "@/server/local-keys/access-keys";
import { stsSessions } from "../../store/schema";

// Temporary credentials: what STS AssumeRole hands out and what the signature check accepts for an
// ASIA key id, together with the session token it was issued with, until it expires.

export interface AssumedRole {
  roleName: string;
  roleId: string;
  sessionName: string;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

export interface Session extends TemporaryCredentials {
  accountId: string;
  assumedRole: AssumedRole;
}

export async function issueSession(accountId: string, assumedRole: AssumedRole, durationSeconds: number): Promise<TemporaryCredentials> {
  const db = await getDb();
  const accessKeyId = newAccessKeyId("ASIA");
  const expiration = new Date(Math.floor(Date.now() / 1000 + durationSeconds) * 1000);
  // Sessions that ended a day ago can no longer be presented: forget them as new ones come.
  await db.delete(stsSessions).where(lt(stsSessions.expiresAt, new Date(Date.now() - 24 * 3600 * 1000)));
  await db.insert(stsSessions).values({ accessKeyId, accountId, ...assumedRole, expiresAt: expiration });
  return { accessKeyId, secretAccessKey: secretForAccessKey(accessKeyId), sessionToken: sessionTokenForAccessKey(accessKeyId), expiration };
}

// Sessions never change once issued: a small cache per process spares every request a read.
const known = new Map<string, Session>();

export async function findSession(accessKeyId: string): Promise<Session | undefined> {
  const cached = known.get(accessKeyId);
  if (cached) return cached;
  const db = await getDb();
  const [row] = await db.select().from(stsSessions).where(eq(stsSessions.accessKeyId, accessKeyId));
  if (!row) return undefined;
  const session: Session = {
    accessKeyId,
    accountId: row.accountId,
    assumedRole: { roleName: row.roleName, roleId: row.roleId, sessionName: row.sessionName },
    secretAccessKey: secretForAccessKey(accessKeyId),
    sessionToken: sessionTokenForAccessKey(accessKeyId),
    expiration: row.expiresAt,
  };
  if (known.size >= 1000) known.clear();
  known.set(accessKeyId, session);
  return session;
}
