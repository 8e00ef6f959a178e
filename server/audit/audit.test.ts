import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import { expect, it } from "vitest";
import { getDb } from "@/server/db/client";
import { auditLog } from "@/server/db/schema";
import { describeEachDatabase } from "@/server/testing/databases";
import { runCommand } from "@/server/auth/action";
import { authorizeWithPassword } from "@/server/auth/credentials";
import { seedDemo } from "@/server/seed/demo";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { actorFor } from "@/server/testing/actors";
import { addUserCommand } from "@/server/users/commands";
import { appendAudit, listAudit, verifyAudit } from "./audit";

const event = (organizationId: string, n: number) => ({
  organizationId,
  userId: null,
  userEmail: `user${n}@org.example`,
  action: n % 2 ? "datasets.upload" : "configuredTables.create",
  target: `thing-${n}`,
  outcome: "success" as const,
  detail: { n, nested: { b: 2, a: [1, "x"] } },
});

describeEachDatabase("audit log", () => {
  it("chains each organization's entries, even when many are appended at once", async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await Promise.all(Array.from({ length: 30 }, (_, n) => appendAudit(event(n % 3 ? a : b, n))));
    expect(await verifyAudit(a)).toEqual({ ok: true, entries: 20 });
    expect(await verifyAudit(b)).toEqual({ ok: true, entries: 10 });
    const { entries, total } = await listAudit(a, { action: "datasets." }, { limit: 5 });
    expect(total).toBe(10);
    expect(entries).toHaveLength(5);
    expect(entries.every((e) => e.action === "datasets.upload" && e.organizationId === a)).toBe(true);
    const older = await listAudit(a, { action: "datasets." }, { before: entries.at(-1)!.id, limit: 100 });
    expect(older.entries).toHaveLength(5);
    expect((await listAudit(a, { search: "thing-1" }, { limit: 100 })).entries.map((e) => e.target).sort()).toEqual(
      ["thing-1", "thing-10", "thing-11", "thing-13", "thing-14", "thing-16", "thing-17", "thing-19"].sort(),
    );
  });

  it("refuses to change or remove an entry, and verify finds an entry changed or removed behind its back", async () => {
    const org = randomUUID();
    for (let n = 0; n < 5; n++) await appendAudit(event(org, n));
    const db = await getDb();
    const idList = (await db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.organizationId, org)).orderBy(asc(auditLog.id))).map((r) => r.id);
    const refusal = (query: Promise<unknown>) =>
      query.then(
        () => "allowed",
        (error: Error & { cause?: Error }) => (error.cause ?? error).message,
      );
    expect(await refusal(db.execute(sql`UPDATE audit_log SET outcome = 'error' WHERE id = ${idList[2]!}`))).toContain("append-only");
    expect(await refusal(db.execute(sql`DELETE FROM audit_log WHERE id = ${idList[2]!}`))).toContain("append-only");

    // Someone with the power to switch the guard off edits an entry's detail.
    await db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`);
    try {
      await db.execute(sql`UPDATE audit_log SET detail = '{"n": 99}'::jsonb WHERE id = ${idList[2]!}`);
      expect(await verifyAudit(org)).toMatchObject({ ok: false, brokenAt: idList[2], reason: expect.stringContaining("changed") });
      // ... or removes one: the next entry no longer follows.
      await db.execute(sql`DELETE FROM audit_log WHERE id = ${idList[2]!}`);
      expect(await verifyAudit(org)).toMatchObject({ ok: false, brokenAt: idList[3], reason: expect.stringContaining("removed") });
    } finally {
      await db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`);
    }
  });

  it("finds any one field of an entry rewritten, each field on its own", async () => {
    const db = await getDb();
    const rewrites = {
      at: sql`at = at + interval '1 second'`,
      user_id: sql`user_id = ${randomUUID()}`,
      user_email: sql`user_email = 'someone.else@org.example'`,
      action: sql`action = 'users.add'`,
      target: sql`target = 'another-thing'`,
      // A refused command rewritten as allowed.
      outcome: sql`outcome = 'error'`,
      detail: sql`detail = '{"n": 1, "nested": {"a": [1, "x"], "b": 3}}'::jsonb`,
      previous_hash: sql`previous_hash = ${"f".repeat(64)}`,
    };
    await db.execute(sql`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change`);
    try {
      for (const [field, change] of Object.entries(rewrites)) {
        const org = randomUUID();
        for (let n = 0; n < 3; n++) await appendAudit(event(org, n));
        const [, middle] = (await db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.organizationId, org)).orderBy(asc(auditLog.id))).map((r) => r.id);
        await db.execute(sql`UPDATE audit_log SET ${change} WHERE id = ${middle!}`);
        expect([field, await verifyAudit(org)]).toEqual([field, expect.objectContaining({ ok: false, brokenAt: middle })]);
      }
      // Moved to another organization's chain: missing from one, out of place in the other.
      const [from, to] = [randomUUID(), randomUUID()];
      for (let n = 0; n < 3; n++) await appendAudit(event(from, n));
      await appendAudit(event(to, 9));
      const [, moved] = (await db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.organizationId, from)).orderBy(asc(auditLog.id))).map((r) => r.id);
      await db.execute(sql`UPDATE audit_log SET organization_id = ${to} WHERE id = ${moved!}`);
      expect(await verifyAudit(from)).toMatchObject({ ok: false });
      expect(await verifyAudit(to)).toMatchObject({ ok: false });
    } finally {
      await db.execute(sql`ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change`);
    }
  });
});

describeEachDatabase("the audit of console actions", () => {
  it("records every attempt of a signed-in user, allowed or refused, never with a password, and sign-ins", async () => {
    await seedDemo();
    const admin = await actorFor("admin@org-a.example");
    const analyst = await actorFor("analyst@org-a.example");
    await runCommand(admin, addUserCommand, { email: "audited@org-a.example", name: "Audited", role: "analyst", password: "a-long-enough-password" });
    await runCommand(analyst, addUserCommand, { email: "sneaky@org-a.example", name: "Sneaky", role: "admin", password: "a-long-enough-password" });
    await authorizeWithPassword({ email: "owner@org-a.example", password: "wrong password" }, "127.0.0.1").catch(() => undefined);
    await authorizeWithPassword({ email: "owner@org-a.example", password: DEMO_PASSWORD }, "127.0.0.1");

    const { entries } = await listAudit(admin.orgId, {}, { limit: 10 });
    expect(entries.map((e) => [e.userEmail, e.action, e.target, e.outcome])).toEqual([
      ["owner@org-a.example", "auth.signIn", "owner@org-a.example", "success"],
      ["owner@org-a.example", "auth.signIn", "owner@org-a.example", "error"],
      ["analyst@org-a.example", "users.add", "sneaky@org-a.example", "error"],
      ["admin@org-a.example", "users.add", "audited@org-a.example", "success"],
    ]);
    expect(entries[2]!.detail).toMatchObject({ message: "Your role does not allow this action." });
    expect(JSON.stringify(entries)).not.toContain("a-long-enough-password");
    expect(await verifyAudit(admin.orgId)).toEqual({ ok: true, entries: 4 });
    // Another organization's chain holds none of it.
    expect((await listAudit((await actorFor("admin@org-b.example")).orgId, {}, { limit: 10 })).entries).toEqual([]);
  });
});
