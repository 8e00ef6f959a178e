import { describe, expect, it } from "vitest";
import { getDatabase } from "@/server/db/client";
import { describeEachDatabase } from "@/server/testing/databases";
import { RowMemo, storeWithMemo } from "./row-memo";
import { deleteEmptyBucket, findBucket, insertBucket, setBucketTags, updateBucket } from "../services/s3/store";
import {
  resourceRows,
  changeResource,
  deleteResources,
  findResource,
  findResourcesById,
  findWithCollaboration,
  insertResource,
  newId,
  transitionResource,
  updateResource,
} from "../services/cleanrooms/resources";

type Row = { id: string; body: { status: string } };
const row = (id: string, status = "SUBMITTED"): Row => ({
  id,
  body: { status },
});

describe("the memo of rows read", () => {
  it("keeps nothing a write began or ended during", () => {
    const memo = new RowMemo<Row>((r) => r.id);
    const readAt = memo.now();
    memo.forget(["q1"]); // a write of q1 begins while the read runs
    memo.keep(readAt, [row("q1")]);
    expect(memo.get("q1")).toBeUndefined();
    const later = memo.now();
    memo.keep(later, [row("q1", "STARTED")]);
    expect(memo.get("q1")?.body).toEqual({ status: "STARTED" });
    memo.forget(["q1"]);
    expect(memo.get("q1")).toBeUndefined();
  });

  it("hands out copies, so a caller's change reaches no other caller", () => {
    const memo = new RowMemo<Row>((r) => r.id);
    memo.keep(memo.now(), [row("q1")]);
    memo.get("q1")!.body.status = "SUCCESS";
    expect(memo.get("q1")?.body).toEqual({ status: "SUBMITTED" });
  });

  it("holds a bounded number of rows, the oldest going first", () => {
    const memo = new RowMemo<Row>((r) => r.id);
    for (let i = 0; i < 5_100; i++) memo.keep(memo.now(), [row(`q${i}`)]);
    expect(memo.size).toBe(5_000);
    expect(memo.get("q0")).toBeUndefined();
    expect(memo.get("q5099")).toBeDefined();
  });
});

// Through the store: whatever the order of reads and writes, a read answers with the row as last
// committed; on PostgreSQL, which other processes write too, nothing is remembered at all.
describeEachDatabase("rows read while they are written", () => {
  const insert = async (status = "SUBMITTED") => {
    const collaborationId = newId();
    await insertResource({
      id: collaborationId,
      kind: "collaboration",
      accountId: "111111111111",
      collaborationId,
      membershipId: null,
      arn: `arn:c:${collaborationId}`,
      name: "c",
      body: { status: "ACTIVE" },
    });
    const id = newId();
    await insertResource({ id, kind: "protectedQuery", accountId: "111111111111", collaborationId, membershipId: "m", arn: `arn:q:${id}`, name: id, body: { status } });
    return { id, collaborationId };
  };
  const statusOf = async (id: string) => ((await findResourcesById([id]))[0]?.body as { status?: string } | undefined)?.status;

  it("remembers only on the embedded store", async () => {
    const { memo } = await storeWithMemo(resourceRows);
    expect(Boolean(memo)).toBe((await getDatabase()).kind === "pglite");
  });

  it("answers every read after a write with what the write committed", async () => {
    const { id, collaborationId } = await insert();
    expect(await statusOf(id)).toBe("SUBMITTED");
    await transitionResource(id, "SUBMITTED", { status: "STARTED" });
    expect(await statusOf(id)).toBe("STARTED");
    await changeResource<{ status: string }>(id, async (current) => ({ ...current.body, status: "CANCELLING" }));
    expect((await findResource("protectedQuery", id))?.body).toEqual({ status: "CANCELLING" });
    await updateResource<{ status: string }>(id, () => ({ body: { status: "CANCELLED" } }));
    const found = await findWithCollaboration<{ status: string }, { status: string }>("protectedQuery", id);
    expect(found.resource?.body.status).toBe("CANCELLED");
    expect(found.collaboration?.id).toBe(collaborationId);
    await deleteResources([id]);
    expect(await findResourcesById([id])).toEqual([]);
    expect(await findResource("collaboration", id)).toBeUndefined();
  });

  it("never answers with an older row than a write that ended, when reads and writes interleave", async () => {
    const { id } = await insert("0");
    for (let step = 1; step <= 20; step++) {
      const reads = Array.from({ length: 3 }, () => statusOf(id));
      await transitionResource(id, String(step - 1), { status: String(step) });
      await Promise.all(reads);
      expect(await statusOf(id)).toBe(String(step));
    }
  });

  it("keeps a failed update from changing what is read", async () => {
    const { id } = await insert();
    await statusOf(id);
    await expect(
      updateResource(id, () => {
        throw new Error("refused");
      }),
    ).rejects.toThrow("refused");
    expect(await statusOf(id)).toBe("SUBMITTED");
  });

  it("answers a bucket as last written: created, changed, tagged, deleted and made again", async () => {
    const name = `memo-${newId().slice(0, 8)}`;
    expect(await findBucket(name)).toBeUndefined();
    expect(await insertBucket({ name, accountId: "111111111111", region: "us-east-1" })).toBe(true);
    expect((await findBucket(name))?.accountId).toBe("111111111111");
    await updateBucket(name, { versioning: "Enabled" });
    expect((await findBucket(name))?.versioning).toBe("Enabled");
    await setBucketTags(name, { team: "a" });
    expect((await findBucket(name))?.tags).toEqual({ team: "a" });
    expect(await deleteEmptyBucket(name)).toBe(true);
    expect(await findBucket(name)).toBeUndefined();
    // Another account makes a bucket of the same name: its owner is the one answered.
    expect(await insertBucket({ name, accountId: "222222222222", region: "us-east-1" })).toBe(true);
    expect((await findBucket(name))?.accountId).toBe("222222222222");
  });
});
