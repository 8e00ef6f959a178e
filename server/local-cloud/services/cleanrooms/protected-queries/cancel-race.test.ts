import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { GetProtectedQueryCommand, StartProtectedQueryCommand, UpdateProtectedQueryCommand } from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../../testing";
import { sdk } from "./adversarial/api-attacks";
import { buildWorld, type World } from "./adversarial/world";

// Cancel racing the runner, on both stores: a cancel that was acknowledged is never followed by
// a result, and a query that ended first refuses the cancel. Either way the two agree.
for (const store of ["pglite", "postgres"] as const) {
  describe(`cancel racing start [${store}]`, () => {
    let cloud: TestCloud;
    let world: World;
    beforeAll(async () => {
      cloud = await startTestCloud({ store });
      world = await buildWorld(cloud);
    }, 180_000);
    afterAll(async () => {
      await cloud.close();
    });

    async function ended(id: string) {
      for (let i = 0; i < 500; i++) {
        const { protectedQuery } = await world.cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: world.membershipA, protectedQueryIdentifier: id }));
        if (!["SUBMITTED", "STARTED", "CANCELLING"].includes(protectedQuery!.status!)) return protectedQuery!;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`query ${id} did not end`);
    }

    it("never writes a result after an acknowledged cancel", async () => {
      const s3 = await cloud.s3("org-a");
      // One query at a time, cancelled ever later: from before it starts to after it ended.
      const outcomes = [];
      for (let i = 0; i < 30; i++) {
        const { protectedQuery } = await world.cleanA.send(
          new StartProtectedQueryCommand({ membershipIdentifier: world.membershipA, type: "SQL", sqlParameters: { queryString: `SELECT region, count(*) + ${i} AS n FROM b_vict GROUP BY region` } }),
        );
        await new Promise((r) => setTimeout(r, i * 8));
        const cancel = await sdk(
          world.cleanA.send(new UpdateProtectedQueryCommand({ membershipIdentifier: world.membershipA, protectedQueryIdentifier: protectedQuery!.id!, targetStatus: "CANCELLED" })),
        );
        const final = await ended(protectedQuery!.id!);
        const result = await sdk(s3.send(new HeadObjectCommand({ Bucket: "org-a-results", Key: `${protectedQuery!.id}/result.csv` })));
        outcomes.push({ cancel: cancel.status, final: final.status, written: result.status === 200 });
      }
      for (const outcome of outcomes) {
        if (outcome.cancel === 200) expect(outcome).toEqual({ cancel: 200, final: "CANCELLED", written: false });
        else expect(outcome).toEqual({ cancel: 409, final: "SUCCESS", written: true });
      }
      // The race went both ways at least once, or it tested nothing.
      expect(outcomes.some((o) => o.cancel === 200)).toBe(true);
      expect(outcomes.some((o) => o.cancel === 409)).toBe(true);
    }, 120_000);
  });
}
