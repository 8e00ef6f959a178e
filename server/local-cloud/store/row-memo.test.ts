import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getDatabase } from "@/server/db/client";
import { describeEachDatabase } from "@/server/testing/databases";
import { copied, ReadMemo, RowMemo, storeWithMemo, storeWithReads } from "./row-memo";
import { deleteEmptyBucket, findBucket, insertBucket, objectsUnder, setBucketTags, updateBucket } from "../services/s3/store";
import { deleteObjectVersion, setObjectTags, writeObject } from "../services/s3/versions";
import { deleteTable, findTables, insertDatabase, insertTable, updateTableInput } from "../services/glue/store";
import {
  associationsWithTables,
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

/** Every object and array reachable from a value. */
function containers(value: unknown, out = new Set<object>()): Set<object> {
  if (value !== null && typeof value === "object" && !out.has(value)) {
    out.add(value);
    if (!(value instanceof Date) && !ArrayBuffer.isView(value)) for (const v of Object.values(value)) containers(v, out);
  }
  return out;
}

/** The same value: the same primitives, dates, keys in the same order, and prototypes. */
function expectSame(copy: unknown, original: unknown): void {
  if (original === null || typeof original !== "object") return void expect(Object.is(copy, original)).toBe(true);
  expect(Object.getPrototypeOf(copy)).toBe(Object.getPrototypeOf(original));
  if (original instanceof Date) return void expect((copy as Date).getTime()).toBe(original.getTime());
  expect(Object.keys(copy as object)).toEqual(Object.keys(original));
  for (const key of Object.keys(original)) expectSame((copy as Record<string, unknown>)[key], (original as Record<string, unknown>)[key]);
}

describe("the copies of remembered rows", () => {
  it("equal what was kept and share no object or array with it", () => {
    const value = fc.letrec((tie) => ({
      leaf: fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.date({ noInvalidDate: true })),
      node: fc.oneof(
        { depthSize: "small" },
        tie("leaf"),
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("__proto__", "constructor", "toString")), tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(value, (original) => {
        const copy = copied(original);
        expectSame(copy, original);
        const theirs = containers(original);
        for (const mine of containers(copy)) expect(theirs.has(mine)).toBe(false);
      }),
    );
  });

  it("copies other kinds of values with structuredClone (a Buffer's bytes)", () => {
    const row = { id: "r", bytes: Buffer.from("abc"), at: new Date(0), nested: { list: [1, { deep: true }] } };
    const copy = copied(row);
    expect({ ...copy, bytes: null }).toEqual({ ...row, bytes: null });
    expect(copy.bytes).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(copy.bytes).toString()).toBe("abc");
    expect(copy.bytes).not.toBe(row.bytes);
    copy.nested.list.push(2);
    expect(row.nested.list).toEqual([1, { deep: true }]);
  });
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

describe("the memo of reads over several rows", () => {
  it("keeps no answer a write began or ended during, and forgets only what a write may change", () => {
    const memo = new ReadMemo<string[]>();
    const readAt = memo.now();
    memo.forget((key) => key === "b\ndata/"); // a write ends while the read runs
    memo.keep(readAt, "a\ndata/", ["x"]);
    expect(memo.get("a\ndata/")).toBeUndefined();
    memo.keep(memo.now(), "a\ndata/", ["x"]);
    memo.keep(memo.now(), "a\nresults/", ["y"]);
    memo.forget((key) => key === "a\nresults/");
    expect(memo.get("a\ndata/")).toEqual(["x"]);
    expect(memo.get("a\nresults/")).toBeUndefined();
    memo.get("a\ndata/")!.push("changed by a caller");
    expect(memo.get("a\ndata/")).toEqual(["x"]);
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

  const account = "111111111111";
  const resource = (kind: "collaboration" | "association" | "configuredTable" | "protectedQuery", collaborationId: string | null, body: Record<string, unknown>) => {
    const id = newId();
    return insertResource({ id, kind, accountId: account, collaborationId, membershipId: null, arn: `arn:${kind}:${id}`, name: `${kind}-${id.slice(0, 8)}`, body });
  };
  const tablesOf = async (collaborationId: string) => {
    const { associations, tables } = await associationsWithTables<{ configuredTableId: string }, { allowedColumns: string[] }>(collaborationId);
    return { associations: associations.map((a) => a.id).sort(), columns: tables.map((t) => t.body.allowedColumns.join(",")).sort() };
  };

  it("answers a collaboration's tables as last written, and keeps the answer through its queries' writes", async () => {
    const collaboration = await resource("collaboration", null, {});
    const table = await resource("configuredTable", null, { allowedColumns: ["a"] });
    const first = await resource("association", collaboration.id, { configuredTableId: table.id });
    expect(await tablesOf(collaboration.id)).toEqual({ associations: [first.id], columns: ["a"] });
    // A query's writes change no table: on the embedded store the answer stays remembered.
    const query = await resource("protectedQuery", collaboration.id, { status: "SUBMITTED" });
    await transitionResource(query.id, "SUBMITTED", { status: "STARTED" });
    const { reads } = await storeWithReads("cleanrooms_catalog");
    if (reads) expect(reads.get(collaboration.id)).toBeDefined();
    const other = await resource("configuredTable", null, { allowedColumns: ["b"] });
    const second = await resource("association", collaboration.id, { configuredTableId: other.id });
    expect(await tablesOf(collaboration.id)).toEqual({ associations: [first.id, second.id].sort(), columns: ["a", "b"] });
    await updateResource(table.id, (current) => ({ body: { ...(current.body as object), allowedColumns: ["a", "c"] } }));
    expect((await tablesOf(collaboration.id)).columns).toEqual(["a,c", "b"]);
    await deleteResources([second.id]);
    expect(await tablesOf(collaboration.id)).toEqual({ associations: [first.id], columns: ["a,c"] });
  });

  it("refuses to insert a table's association inside another transaction, whose commit it could not see", async () => {
    const { db } = await storeWithMemo(resourceRows);
    const collaboration = await resource("collaboration", null, {});
    await expect(
      db.transaction((tx) =>
        insertResource({ id: newId(), kind: "association", accountId: account, collaborationId: collaboration.id, membershipId: null, arn: `arn:a:${newId()}`, name: "a", body: {} }, tx),
      ),
    ).rejects.toThrow("transaction of its own");
    expect((await tablesOf(collaboration.id)).associations).toEqual([]);
  });

  it("answers Glue tables as last written", async () => {
    const catalog = { accountId: account, region: "us-east-1" };
    const databaseName = `memo_${newId().slice(0, 8)}`;
    await insertDatabase({ ...catalog, name: databaseName, input: {} });
    const wanted = [{ catalog, databaseName, name: "t" }];
    expect(await findTables(wanted)).toEqual([]);
    await insertTable({ ...catalog, databaseName, name: "t", input: { v: 1 }, createdBy: account });
    expect((await findTables(wanted)).map((t) => t.input)).toEqual([{ v: 1 }]);
    await updateTableInput(catalog, databaseName, "t", { v: 2 });
    expect((await findTables(wanted)).map((t) => t.input)).toEqual([{ v: 2 }]);
    await deleteTable(catalog, databaseName, "t");
    expect(await findTables(wanted)).toEqual([]);
  });

  it("lists the objects under a prefix as last written, whatever else the bucket receives", async () => {
    const bucket = `memo-${newId().slice(0, 8)}`;
    await insertBucket({ name: bucket, accountId: account, region: "us-east-1" });
    const put = (key: string, within?: Parameters<typeof writeObject>[1]) =>
      writeObject({ bucket, key, blob: newId(), size: 1, etag: "e", contentType: "text/csv", headers: {}, metadata: {}, checksum: null, partsCount: null }, within);
    const listed = async (prefix: string) => {
      const rows = [];
      for await (const row of objectsUnder(bucket, prefix)) rows.push(`${row.key}${Object.keys(row.tags ?? {}).length ? "+tags" : ""}`);
      return rows;
    };
    await put("data/a.csv");
    expect(await listed("data/")).toEqual(["data/a.csv"]);
    await put("results/q/result.csv");
    const { reads } = await storeWithReads("s3_listings");
    if (reads) expect(reads.get(`${bucket}\ndata/`)).toBeDefined();
    expect(await listed("data/")).toEqual(["data/a.csv"]);
    await put("data/b.csv");
    expect(await listed("data/")).toEqual(["data/a.csv", "data/b.csv"]);
    await setObjectTags(bucket, "data/a.csv", { team: "a" });
    expect(await listed("data/")).toEqual(["data/a.csv+tags", "data/b.csv"]);
    await deleteObjectVersion(bucket, "data/a.csv");
    expect(await listed("data/")).toEqual(["data/b.csv"]);
    expect(await listed("")).toEqual(["data/b.csv", "results/q/result.csv"]);
  });

  it("never lists fewer objects than a write that ended, when listings and writes interleave", async () => {
    const bucket = `memo-${newId().slice(0, 8)}`;
    await insertBucket({ name: bucket, accountId: account, region: "us-east-1" });
    const count = async () => {
      let n = 0;
      for await (const row of objectsUnder(bucket, "data/")) n += row.key ? 1 : 0;
      return n;
    };
    for (let step = 1; step <= 15; step++) {
      const listings = Array.from({ length: 3 }, () => count());
      await writeObject({ bucket, key: `data/${step}.csv`, blob: newId(), size: 1, etag: "e", contentType: "text/csv", headers: {}, metadata: {}, checksum: null, partsCount: null });
      await Promise.all(listings);
      expect(await count()).toBe(step);
    }
  });
});
