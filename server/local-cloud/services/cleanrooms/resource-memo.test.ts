import { describe, expect, it } from "vitest";
import { getDatabase } from "@/server/db/client";
import { describeEachDatabase } from "@/server/testing/databases";
import { ResourceMemo, storeWithMemo, type ResourceRow } from "./resource-memo";
import { changeResource, deleteResources, findResource, findResourcesById, findWithCollaboration, insertResource, newId, transitionResource, updateResource } from "./resources";

const row = (id: string, status = "SUBMITTED"): ResourceRow => ({
  id,
  kind: "protectedQuery",
  accountId: "111111111111",
  collaborationId: null,
  membershipId: "m",
  arn: `arn:q:${id}`,
  name: id,
  body: { status },
  tags: {},
  createTime: new Date(0),
  updateTime: new Date(0),
});

describe("the memo of resources read", () => {
  it("keeps nothing a write began or ended during", () => {
    const memo = new ResourceMemo();
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
    const memo = new ResourceMemo();
    memo.keep(memo.now(), [row("q1")]);
    (memo.get("q1")!.body as { status: string }).status = "SUCCESS";
    expect(memo.get("q1")?.body).toEqual({ status: "SUBMITTED" });
  });

  it("holds a bounded number of rows, the oldest going first", () => {
    const memo = new ResourceMemo();
    for (let i = 0; i < 5_100; i++) memo.keep(memo.now(), [row(`q${i}`)]);
    expect(memo.size).toBe(5_000);
    expect(memo.get("q0")).toBeUndefined();
    expect(memo.get("q5099")).toBeDefined();
  });
});

// Through the store: whatever the order of reads and writes, a read answers with the row as last
// committed; on PostgreSQL, which other processes write too, nothing is remembered at all.
describeEachDatabase("resources read while they are written", () => {
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
    const { memo } = await storeWithMemo();
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
});
