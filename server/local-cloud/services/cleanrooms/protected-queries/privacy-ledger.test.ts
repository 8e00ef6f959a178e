import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { ListProtectedQueriesCommand, StartProtectedQueryCommand, UpdateProtectedQueryCommand } from "@aws-sdk/client-cleanrooms";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/server/db/client";
import { addFractions, costOf, countFitting, fraction, subtractFractions, aggregationTypes } from "@/server/engine/privacy/accounting";
import { privacyLedger } from "../../../store/schema";
import type { PrivacyBudgetTemplateBody, ProtectedQueryBody } from "../model";
import { budgetId, budgetState, chargeQuery } from "../privacy-budgets";
import { findResource, updateResource } from "../resources";
import { privacyWorld, type PrivacyWorld } from "./privacy-world";
import { recoverProtectedQueries } from "./runner";
import { protectedQueryResources } from "@/server/config";
import { createCoreGate } from "@/server/engine/exec/gate";

// The privacy budget's ledger, on both stores: concurrent queries never overspend, every number
// ListPrivacyBudgets reports is the ledger's, refunds follow the documented policy, monthly
// budgets refresh, and restarts neither lose a debit nor charge twice.

const csv = ["customer_id,region,spend", ...Array.from({ length: 400 }, (_, i) => `${i + 1},${["east", "west"][i % 2]},${i % 50}`)].join("\n");
// COUNT without GROUP BY takes 2 measurements; epsilon 2 at usersNoisePerQuery 10 is 20 of them: 10 queries.
const COUNT_QUERY = "SELECT COUNT(*) AS n FROM visits";

for (const store of ["pglite", "postgres"] as const) {
  describe(`privacy budget ledger [${store}]`, () => {
    let world: PrivacyWorld;
    beforeAll(async () => {
      world = await privacyWorld({ tables: { visits: csv }, epsilon: 2, usersNoisePerQuery: 10, store });
    }, 120_000);
    afterAll(() => world.cloud.close());

    const start = (sql: string) =>
      world.analyst.send(new StartProtectedQueryCommand({ membershipIdentifier: world.analystMembership, type: "SQL", sqlParameters: { queryString: sql } })).then(
        (out) => ({ id: out.protectedQuery!.id!, error: null as string | null }),
        (error: Error) => ({ id: null, error: error.message }),
      );

    /** The ledger as the store holds it: what is spent this period, recomputed from its rows. */
    async function ledger() {
      const rows = await (await getDb()).select().from(privacyLedger).where(eq(privacyLedger.templateId, world.templateId));
      const live = rows.filter((r) => !r.refundedAt);
      return { rows, spent: live.reduce((sum, r) => addFractions(sum, costOf(r.measurements, r.usersNoisePerQuery)), fraction(0)) };
    }

    /** ListPrivacyBudgets agrees with the ledger: remainingCount is what the unspent epsilon allows. */
    async function expectBudgetMatchesLedger() {
      const { spent } = await ledger();
      const remaining = subtractFractions(fraction(2), spent);
      const reported = await world.budget();
      for (const type of aggregationTypes) {
        expect(reported[type], type).toEqual({ maxCount: countFitting(fraction(2), 10, type), remainingCount: countFitting(remaining, 10, type) });
      }
      return remaining;
    }

    it("admits at most what the budget allows out of 50 simultaneous queries, refusing the rest with the budget's name", async () => {
      // Every thread of the budget held, as a query running alone would hold it: the admitted
      // queries wait SUBMITTED, so the cancels below find them before they run, whatever the
      // machine's speed.
      const cores = createCoreGate("protected-query-cores", protectedQueryResources);
      const held = await cores.enter();
      let cancelled: string[] = [];
      try {
        const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => start(`${COUNT_QUERY} WHERE spend >= ${i % 3}`)));
        const accepted = outcomes.filter((o) => o.id);
        expect(accepted.length).toBe(10);
        for (const refused of outcomes.filter((o) => o.error)) expect(refused.error).toContain(`privacy budget ${budgetId(world.templateId)}`);
        const { rows } = await ledger();
        expect(rows.map((r) => r.queryId).sort()).toEqual(accepted.map((o) => o.id).sort());
        expect((await expectBudgetMatchesLedger()).num).toBe(0n);
        // A refused query was never recorded: only the admitted ones exist.
        const listed = await world.analyst.send(new ListProtectedQueriesCommand({ membershipIdentifier: world.analystMembership, maxResults: 100 }));
        expect(listed.protectedQueries!.length).toBe(10);

        // Cancelled before it ran, a query gets its debit back.
        const cancels = await Promise.all(
          accepted
            .slice(0, 5)
            .map((o) => world.analyst.send(new UpdateProtectedQueryCommand({ membershipIdentifier: world.analystMembership, protectedQueryIdentifier: o.id!, targetStatus: "CANCELLED" }))),
        );
        expect(cancels.map((c) => c.protectedQuery!.status)).toEqual(Array(5).fill("CANCELLED"));
        cancelled = accepted.slice(0, 5).map((o) => o.id!);
      } finally {
        held.leave();
      }
      // Once running, a cancelled query keeps its debit (it may have read rows): the others are
      // cancelled as they run, or refused if already ended, and only a cancel that still found
      // one waiting (CANCELLED, not CANCELLING) gives its debit back.
      const rest = (await ledger()).rows.map((r) => r.queryId).filter((id) => !cancelled.includes(id));
      const late = await Promise.all(
        rest.map((id) =>
          world.analyst
            .send(new UpdateProtectedQueryCommand({ membershipIdentifier: world.analystMembership, protectedQueryIdentifier: id, targetStatus: "CANCELLED" }))
            .then((c) => ({ id, status: c.protectedQuery!.status }))
            .catch(() => ({ id, status: "ENDED" })),
        ),
      );
      cancelled = [...cancelled, ...late.filter((c) => c.status === "CANCELLED").map((c) => c.id)];
      const after = await ledger();
      expect(
        after.rows
          .filter((r) => r.refundedAt)
          .map((r) => r.queryId)
          .sort(),
      ).toEqual([...cancelled].sort());
      await expectBudgetMatchesLedger();
      // Let every query end before the next test reads the budget.
      await waitForAll(world);
    }, 120_000);

    it("refuses a query the budget cannot cover and writes no result for it", async () => {
      // Spend what is left, one query at a time, checking the budget against the ledger each step.
      for (;;) {
        const remaining = await expectBudgetMatchesLedger();
        if (countFitting(remaining, 10, "COUNT") === 0) break;
        expect((await world.run(COUNT_QUERY)).status).toBe("SUCCESS");
      }
      const s3 = await world.cloud.s3("org-a");
      const objects = async () => (await s3.send(new ListObjectsV2Command({ Bucket: "org-a-results" }))).KeyCount ?? 0;
      const written = await objects();
      const refused = await start(COUNT_QUERY);
      expect(refused.error).toMatch(/has ε 0 left this month \(it refreshes on the 1st, UTC\); this query needs ε 0\.2\. It was not run\./);
      expect(await objects()).toBe(written);
    }, 120_000);

    it("starts a new month with the whole budget, and keeps the old month's debits in the ledger", async () => {
      const template = (await findResource<PrivacyBudgetTemplateBody>("privacyBudgetTemplate", world.templateId))!;
      const now = new Date();
      const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
      expect((await budgetState(template, now)).remaining.num).toBe(0n);
      expect(await budgetState(template, nextMonth)).toMatchObject({ remaining: fraction(2), spent: fraction(0) });
      // A debit at the start of next month counts there only.
      await chargeQuery(template, "next-month-query", 2, async () => {}, nextMonth);
      expect((await budgetState(template, nextMonth)).remaining).toEqual(fraction(18, 10));
      expect((await budgetState(template, now)).remaining.num).toBe(0n);
      await (await getDb()).delete(privacyLedger).where(eq(privacyLedger.queryId, "next-month-query"));
    });

    it("neither loses a debit nor charges twice across a restart", async () => {
      const { rows: before } = await ledger();
      // A restart finds one query waiting (it re-runs on its debit) and one running (it fails, keeping its debit).
      const [waiting, running] = before.filter((r) => !r.refundedAt).slice(0, 2);
      await updateResource<ProtectedQueryBody>(waiting!.queryId, (q) => ({ body: { ...q.body, status: "SUBMITTED", result: undefined } }));
      await updateResource<ProtectedQueryBody>(running!.queryId, (q) => ({ body: { ...q.body, status: "STARTED" } }));
      await recoverProtectedQueries();
      await waitForAll(world);
      const rerun = await findResource<ProtectedQueryBody>("protectedQuery", waiting!.queryId);
      const failed = await findResource<ProtectedQueryBody>("protectedQuery", running!.queryId);
      expect(rerun!.body.status).toBe("SUCCESS");
      expect(failed!.body.status).toBe("FAILED");
      const { rows: after } = await ledger();
      expect(after).toEqual(before);
      await expectBudgetMatchesLedger();
    }, 60_000);

    it("gives the debit back to a query the runner refuses before reading a row", async () => {
      // A waiting query whose SQL the rules no longer allow (as if they changed after it was paid for).
      const { rows: before } = await ledger();
      const paid = before.find((r) => !r.refundedAt)!;
      await updateResource<ProtectedQueryBody>(paid.queryId, (q) => ({
        body: { ...q.body, status: "SUBMITTED", result: undefined, sqlParameters: { queryString: "SELECT COUNT(*) FROM visits WHERE nope = 1" } },
      }));
      await recoverProtectedQueries();
      await waitForAll(world);
      const refused = await findResource<ProtectedQueryBody>("protectedQuery", paid.queryId);
      expect(refused!.body).toMatchObject({ status: "FAILED", error: { code: "INVALID_QUERY" } });
      const { rows: after } = await ledger();
      expect(after.find((r) => r.queryId === paid.queryId)!.refundedAt).not.toBeNull();
      expect(after.filter((r) => r.refundedAt).length).toBe(before.filter((r) => r.refundedAt).length + 1);
      await expectBudgetMatchesLedger();
    }, 60_000);
  });
}

async function waitForAll(world: PrivacyWorld) {
  for (let i = 0; i < 400; i++) {
    const listed = await world.analyst.send(new ListProtectedQueriesCommand({ membershipIdentifier: world.analystMembership, maxResults: 100 }));
    if (!listed.protectedQueries!.some((q) => ["SUBMITTED", "STARTED", "CANCELLING"].includes(q.status!))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("queries did not end");
}
