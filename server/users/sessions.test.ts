import { beforeAll, expect, it } from "vitest";
import { seedDemo } from "@/server/seed/demo";
import { actorFor } from "@/server/testing/actors";
import { describeEachDatabase } from "@/server/testing/databases";
import { eq, inArray } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { consoleSessions } from "@/server/db/schema";
import { endConsoleSession, SESSION_LIFETIME_MS, startConsoleSession } from "./sessions";
import { findSessionUser, setUserActive, setUserRole } from "./store";

// A console session counts only while the store says it has not ended: a copied cookie is worth
// nothing after sign-out, and a user's sessions end when they are deactivated or change role.

describeEachDatabase("console sessions", () => {
  beforeAll(async () => {
    await seedDemo();
  });

  const live = async (userId: string, sessionId: string) => !!(await findSessionUser({ userId, sessionId }));

  it("ends one session at sign-out and leaves the user's others", async () => {
    const analyst = await actorFor("analyst@org-a.example");
    const [laptop, phone] = [await startConsoleSession({ userId: analyst.userId }), await startConsoleSession({ userId: analyst.userId })];
    expect(await live(analyst.userId, laptop)).toBe(true);
    await endConsoleSession({ sessionId: laptop });
    expect(await live(analyst.userId, laptop)).toBe(false);
    expect(await live(analyst.userId, phone)).toBe(true);
    // A session id is good only for its own user.
    const owner = await actorFor("owner@org-a.example");
    expect(await live(owner.userId, phone)).toBe(false);
    expect(await live(analyst.userId, "not-a-session")).toBe(false);
  });

  it("ends every session of a user whose role changes, and only when it does", async () => {
    const owner = await actorFor("owner@org-b.example");
    const admin = await actorFor("admin@org-b.example");
    const session = await startConsoleSession({ userId: owner.userId });
    const bystander = await startConsoleSession({ userId: admin.userId });
    await setUserRole({ orgId: owner.orgId, userId: owner.userId, role: "data_owner" });
    expect(await live(owner.userId, session)).toBe(true);
    await setUserRole({ orgId: owner.orgId, userId: owner.userId, role: "analyst" });
    expect(await live(owner.userId, session)).toBe(false);
    expect(await live(admin.userId, bystander)).toBe(true);
    // Another organization's admin cannot touch the user, nor end their sessions.
    const next = await startConsoleSession({ userId: owner.userId });
    const foreign = await actorFor("admin@org-a.example");
    expect(await setUserRole({ orgId: foreign.orgId, userId: owner.userId, role: "admin" })).toBeUndefined();
    expect(await live(owner.userId, next)).toBe(true);
    await setUserRole({ orgId: owner.orgId, userId: owner.userId, role: "data_owner" });
  });

  it("ends every session of a deactivated user; reactivation does not revive them", async () => {
    const analyst = await actorFor("analyst@org-b.example");
    const session = await startConsoleSession({ userId: analyst.userId });
    await setUserActive({ orgId: analyst.orgId, userId: analyst.userId, active: false });
    expect(await live(analyst.userId, session)).toBe(false);
    await setUserActive({ orgId: analyst.orgId, userId: analyst.userId, active: true });
    expect(await live(analyst.userId, session)).toBe(false);
    expect(await live(analyst.userId, await startConsoleSession({ userId: analyst.userId }))).toBe(true);
  });
  it("ends a session 30 days after its sign-in however it was renewed, and forgets old rows", async () => {
    const analyst = await actorFor("analyst@org-a.example");
    const [old, ended] = [await startConsoleSession({ userId: analyst.userId }), await startConsoleSession({ userId: analyst.userId })];
    const db = await getDb();
    await db
      .update(consoleSessions)
      .set({ createdAt: new Date(Date.now() - SESSION_LIFETIME_MS - 60_000) })
      .where(eq(consoleSessions.id, old));
    await db
      .update(consoleSessions)
      .set({ endedAt: new Date(Date.now() - 2 * 24 * 3600 * 1000) })
      .where(eq(consoleSessions.id, ended));
    expect(await live(analyst.userId, old)).toBe(false);
    await startConsoleSession({ userId: analyst.userId });
    const left = await db
      .select({ id: consoleSessions.id })
      .from(consoleSessions)
      .where(inArray(consoleSessions.id, [old, ended]));
    expect(left).toEqual([]);
  });
});
