import { eq, lt } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { newAccessKeyId, secretForAccessKey, sessionTokenForAccessKey } from "@/server/local-keys/access-keys";
import { stsSessions } from "../../store/schema";
import { findRole } from "../iam/roles";
import { parseTrustPolicy, trustAllows } from "../iam/trust";

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

/** What the role's trust policy allowed when the session was issued: asked again on every request. */
export interface Grant {
  callerAccount: string;
  callerArns: string[];
  externalId?: string;
  /** The temporary credentials that assumed the role, when roles were chained. */
  parentAccessKeyId?: string;
}

export interface Session extends TemporaryCredentials {
  accountId: string;
  assumedRole: AssumedRole;
  grant: Grant;
}

export async function issueSession(accountId: string, assumedRole: AssumedRole, durationSeconds: number, grant: Grant): Promise<TemporaryCredentials> {
  const db = await getDb();
  const accessKeyId = newAccessKeyId("ASIA");
  const expiration = new Date(Math.floor(Date.now() / 1000 + durationSeconds) * 1000);
  // Sessions that ended a day ago can no longer be presented: forget them as new ones come.
  await db.delete(stsSessions).where(lt(stsSessions.expiresAt, new Date(Date.now() - 24 * 3600 * 1000)));
  await db.insert(stsSessions).values({
    accessKeyId,
    accountId,
    ...assumedRole,
    expiresAt: expiration,
    callerAccount: grant.callerAccount,
    callerArns: grant.callerArns,
    externalId: grant.externalId ?? null,
    parentAccessKeyId: grant.parentAccessKeyId ?? null,
  });
  return { accessKeyId, secretAccessKey: secretForAccessKey(accessKeyId), sessionToken: sessionTokenForAccessKey(accessKeyId), expiration };
}

// Sessions never change once issued: a small cache per process spares every request a read.
// Whether they still hold (their role, its trust) is asked on every request: stillGranted.
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
    grant: {
      callerAccount: row.callerAccount,
      callerArns: row.callerArns,
      ...(row.externalId !== null ? { externalId: row.externalId } : {}),
      ...(row.parentAccessKeyId !== null ? { parentAccessKeyId: row.parentAccessKeyId } : {}),
    },
  };
  if (known.size >= 1000) known.clear();
  known.set(accessKeyId, session);
  return session;
}

/**
 * Whether the session's grant still holds: its role exists (the same role, not one re-created
 * under its name), still trusts the principal that assumed it with the external id it gave, and,
 * for chained roles, the credentials that assumed it still hold too. Role reads are remembered on
 * the embedded store (iam/roles.ts), so this costs a request no read there.
 */
export async function stillGranted(session: Session, now: number, depth = 0): Promise<boolean> {
  const role = await findRole(session.accountId, session.assumedRole.roleName);
  if (!role || role.roleId !== session.assumedRole.roleId) return false;
  const { callerAccount, callerArns, externalId, parentAccessKeyId } = session.grant;
  if (!trustAllows(parseTrustPolicy(role.trustPolicy), { callerAccount, callerArns, ...(externalId !== undefined ? { externalId } : {}) })) return false;
  if (!parentAccessKeyId) return true;
  const parent = await findSession(parentAccessKeyId);
  // A chain is at most as long as the sessions it was made of; a cycle cannot be issued, but is cut anyway.
  return !!parent && depth < 10 && now < parent.expiration.getTime() && stillGranted(parent, now, depth + 1);
}
