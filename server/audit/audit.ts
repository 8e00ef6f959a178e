import { createHash } from "node:crypto";
import { and, asc, count, desc, eq, gt, gte, ilike, lt, or, sql, type SQL } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { auditLog, type AuditEntry } from "@/server/db/schema";
import { log } from "@/server/log";

// The console's audit log: who did what, when, and how it ended, for every state-changing action.
// Each organization's entries form a hash chain: an entry's hash covers its fields and the hash
// of the entry before it, so changing, removing or reordering an entry breaks the chain from
// there on, and `verifyAudit` names the first entry that no longer fits. The store refuses UPDATE
// and DELETE on the table (a trigger); the chain catches what gets past that.

export const GENESIS = "0".repeat(64);

export interface AuditEvent {
  organizationId: string;
  userId: string | null;
  userEmail: string;
  action: string;
  target: string;
  outcome: "success" | "error";
  detail?: Record<string, unknown>;
}

/** JSON with object keys sorted at every level, so a value hashes the same however it was stored. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

function hashOf(entry: Omit<AuditEntry, "id" | "hash">): string {
  const fields = [entry.organizationId, entry.at.toISOString(), entry.userId, entry.userEmail, entry.action, entry.target, entry.outcome, entry.detail, entry.previousHash];
  return createHash("sha256").update(canonical(fields)).digest("hex");
}

/** Appends an entry to its organization's chain; appends of one organization are serialized. */
export async function appendAudit(event: AuditEvent): Promise<void> {
  const db = await getDb();
  await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`audit/${event.organizationId}`}, 0))`);
    const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).where(eq(auditLog.organizationId, event.organizationId)).orderBy(desc(auditLog.id)).limit(1);
    // Milliseconds only: what a timestamp column gives back exactly.
    const entry = { ...event, detail: event.detail ?? {}, at: new Date(), previousHash: last?.hash ?? GENESIS };
    await tx.insert(auditLog).values({ ...entry, hash: hashOf(entry) });
  });
}

/** Appends, and never lets a failure to record stop the action it records (it is logged instead). */
export async function recordAudit(event: AuditEvent): Promise<void> {
  await appendAudit(event).catch((error: unknown) => log("error", "audit entry not recorded", { action: event.action, error }));
}

export type Verification = { ok: true; entries: number } | { ok: false; entries: number; brokenAt: number; reason: string };

/** Walks an organization's chain in order and reports the first entry that does not fit. */
export async function verifyAudit(organizationId: string): Promise<Verification> {
  const db = await getDb();
  let previous = GENESIS;
  let after = 0;
  let entries = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.organizationId, organizationId), gt(auditLog.id, after)))
      .orderBy(asc(auditLog.id))
      .limit(1000);
    for (const row of page) {
      entries += 1;
      if (row.previousHash !== previous) return { ok: false, entries, brokenAt: row.id, reason: "it does not follow the entry before it (an entry was removed or reordered)" };
      if (hashOf(row) !== row.hash) return { ok: false, entries, brokenAt: row.id, reason: "its content no longer matches its hash (it was changed)" };
      previous = row.hash;
    }
    if (page.length < 1000) return { ok: true, entries };
    after = page.at(-1)!.id;
  }
}

export interface AuditFilter {
  action?: string;
  user?: string;
  outcome?: "success" | "error";
  from?: Date;
  to?: Date;
  search?: string;
}

/** A page of an organization's entries, newest first, with the total that match the filter. */
export async function listAudit(organizationId: string, filter: AuditFilter, page: { before?: number; limit: number }): Promise<{ entries: AuditEntry[]; total: number }> {
  const db = await getDb();
  const conditions: SQL[] = [eq(auditLog.organizationId, organizationId)];
  if (filter.action) conditions.push(sql`starts_with(${auditLog.action}, ${filter.action})`);
  if (filter.user) conditions.push(eq(auditLog.userEmail, filter.user.toLowerCase()));
  if (filter.outcome) conditions.push(eq(auditLog.outcome, filter.outcome));
  if (filter.from) conditions.push(gte(auditLog.at, filter.from));
  if (filter.to) conditions.push(lt(auditLog.at, filter.to));
  if (filter.search) {
    const pattern = `%${filter.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(auditLog.target, pattern), ilike(auditLog.action, pattern))!);
  }
  const where = and(...conditions);
  const [{ total }] = (await db.select({ total: count() }).from(auditLog).where(where)) as [{ total: number }];
  const entries = await db
    .select()
    .from(auditLog)
    .where(page.before ? and(where, lt(auditLog.id, page.before)) : where)
    .orderBy(desc(auditLog.id))
    .limit(page.limit);
  return { entries, total: Number(total) };
}
