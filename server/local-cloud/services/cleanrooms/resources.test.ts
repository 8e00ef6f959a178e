import { expect, it } from "vitest";
import { describeEachDatabase } from "@/server/testing/databases";
import type { Db } from "@/server/db/client";
import { cleanroomsResources } from "../../store/schema";
import { askingAbout, findResource, findResourcesById, insertResource, isUniqueViolation, newId, questionsAnswered, transitionResourceWith } from "./resources";

// An association's name is a table's name in SQL: the store itself keeps it unique within a
// collaboration whatever the letter case, so no race between two members can create "t" and "T".
describeEachDatabase("association names", () => {
  const association = (collaborationId: string, accountId: string, name: string) => {
    const id = newId();
    return insertResource({ id, kind: "association", accountId, collaborationId, membershipId: `m-${accountId}`, arn: `arn:aws:cleanrooms:us-east-1:${accountId}:association/${id}`, name, body: {} });
  };

  it("refuses a second association of the same name in any letter case, even when both race", async () => {
    const collaboration = newId();
    const results = await Promise.allSettled([
      association(collaboration, "222222222222", "b_vict"),
      association(collaboration, "111111111111", "B_VICT"),
      association(collaboration, "111111111111", "B_Vict"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const rejected of results.filter((r) => r.status === "rejected")) expect(isUniqueViolation(rejected.reason)).toBe(true);
  });

  it("allows the same name in another collaboration, and other kinds of resource to share it", async () => {
    await association(newId(), "111111111111", "shared_name");
    await association(newId(), "111111111111", "SHARED_NAME");
    const id = newId();
    const collaboration = newId();
    await association(collaboration, "111111111111", "same");
    await insertResource({ id, kind: "analysisTemplate", accountId: "111111111111", collaborationId: collaboration, membershipId: "m", arn: `arn:t:${id}`, name: "SAME", body: {} });
  });
});

// A query's result and its SUCCESS: one statement moves the query (and locks its row), and what
// else the move carries is written in the same transaction.
describeEachDatabase("a move with a write alongside", () => {
  const query = async (status: string) => {
    const id = newId();
    await insertResource({ id, kind: "protectedQuery", accountId: "111111111111", collaborationId: "c", membershipId: "m", arn: `arn:q:${id}`, name: id, body: { status, note: "kept" } });
    return id;
  };
  const marker = (tx: Db, id: string) => tx.insert(cleanroomsResources).values({ id: `${id}-marker`, kind: "analysisTemplate", accountId: "1", arn: `arn:m:${id}`, name: "m", body: {} });

  it("moves the resource, merging the patch into its body, and commits the write with it", async () => {
    const id = await query("STARTED");
    const moved = await transitionResourceWith<{ status: string; note: string; endedAt?: string }, string>(id, "STARTED", { status: "SUCCESS", endedAt: "then" }, async (tx) => {
      await marker(tx, id);
      return "written";
    });
    expect(moved?.result).toBe("written");
    expect(moved?.resource.body).toEqual({ status: "SUCCESS", note: "kept", endedAt: "then" });
    expect((await findResource("protectedQuery", id))?.body).toEqual({ status: "SUCCESS", note: "kept", endedAt: "then" });
    expect(await findResourcesById([`${id}-marker`])).toHaveLength(1);
  });

  it("writes nothing when the status is no longer the one to move from", async () => {
    const id = await query("CANCELLING");
    let called = false;
    const moved = await transitionResourceWith(id, "STARTED", { status: "SUCCESS" }, async (tx) => {
      called = true;
      await marker(tx, id);
    });
    expect([moved, called]).toEqual([undefined, false]);
    expect((await findResource("protectedQuery", id))?.body).toEqual({ status: "CANCELLING", note: "kept" });
    expect(await findResourcesById([`${id}-marker`])).toHaveLength(0);
  });

  it("leaves the resource as it was when the write alongside fails", async () => {
    const id = await query("STARTED");
    await expect(
      transitionResourceWith(id, "STARTED", { status: "SUCCESS" }, async (tx) => {
        await marker(tx, id);
        throw new Error("the object could not be written");
      }),
    ).rejects.toThrow("the object could not be written");
    expect((await findResource("protectedQuery", id))?.body).toEqual({ status: "STARTED", note: "kept" });
    expect(await findResourcesById([`${id}-marker`])).toHaveLength(0);
  });
});

// A query's sandbox closes (blocking the event loop for a moment) only once the questions about
// the query being answered are answered, and never waits long for them.
it("waits for the questions about a resource being answered, and no longer than it is told", async () => {
  const within = (promise: Promise<void>, ms: number) => Promise.race([promise.then(() => "answered"), new Promise((r) => setTimeout(() => r("waiting"), ms))]);
  expect(await within(questionsAnswered("nobody-asks", 10_000), 50)).toBe("answered");

  const first = askingAbout("asked");
  const second = askingAbout("asked");
  const waited = questionsAnswered("asked", 10_000);
  first();
  first(); // once only
  expect(await within(waited, 50)).toBe("waiting");
  second();
  expect(await within(waited, 50)).toBe("answered");

  // A question never answered holds it only as long as it was told.
  askingAbout("never-answered");
  expect(await within(questionsAnswered("never-answered", 30), 5_000)).toBe("answered");
});
