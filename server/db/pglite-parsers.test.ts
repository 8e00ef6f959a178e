import { PGlite, types } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { afterAll, describe, expect, it } from "vitest";
import { withTextParsers } from "./pglite-parsers";

// The embedded store's client drops Drizzle's per-query parsers because it already has them: rows
// must come back exactly as they would with them, inside transactions too, and any other
// per-query parser must still apply.

const events = pgTable("events", { id: text("id").primaryKey(), at: timestamp("at", { withTimezone: true }).notNull() });

const plain = new PGlite("memory://");
const lean = new PGlite("memory://");
afterAll(async () => {
  await plain.close();
  await lean.close();
});

const dates = sql`select timestamptz '2024-02-29 12:34:56.789+00' as t, timestamp '2024-01-01 00:00:00' as ts, interval '1 day 02:00:00' as i,
  date '2024-03-01' as d, array[timestamp '2024-01-01 00:00:00'] as tsa, array[date '2024-03-01'] as da, array[1.5::numeric] as na,
  1::int4 as n, '{"a":1}'::jsonb as j`;

describe("the embedded store's client", () => {
  it("reads dates, timestamps, intervals and their arrays as Drizzle's own parsers would", async () => {
    const expected = (await drizzle({ client: plain }).execute(dates)).rows;
    const db = drizzle({ client: await withTextParsers(lean) });
    expect((await db.execute(dates)).rows).toEqual(expected);
    expect(await db.transaction(async (tx) => (await tx.execute(dates)).rows)).toEqual(expected);
    expect(expected[0]).toMatchObject({ t: "2024-02-29 12:34:56.789+00", i: "1 day 02:00:00", d: "2024-03-01", n: 1, j: { a: 1 } });
  });

  it("maps typed columns to the same values, in and out of transactions", async () => {
    for (const client of [plain, await withTextParsers(lean)]) {
      await client.exec("create table events (id text primary key, at timestamptz not null)");
    }
    const at = new Date("2024-02-29T12:34:56.789Z");
    const read = async (client: PGlite) => {
      const db = drizzle({ client });
      await db.insert(events).values({ id: "e1", at });
      const outside = await db.select().from(events);
      const inside = await db.transaction(async (tx) => tx.select().from(events).for("update"));
      return { outside, inside };
    };
    const expected = await read(plain);
    expect(expected.outside).toEqual([{ id: "e1", at }]);
    expect(await read(await withTextParsers(lean))).toEqual(expected);
  });

  it("still applies a per-query parser that asks for something else", async () => {
    const client = await withTextParsers(lean);
    const shout = { parsers: { [types.INT4]: (value: string) => `n${value}` } };
    expect((await client.query("select 1::int4 as n", [], shout)).rows).toEqual([{ n: "n1" }]);
    expect(await client.transaction(async (tx) => (await tx.query("select 2::int4 as n", [], shout)).rows)).toEqual([{ n: "n2" }]);
    const dateAsDate = { parsers: { [types.DATE]: (value: string) => new Date(value) } };
    expect((await client.query("select date '2024-03-01' as d", [], dateAsDate)).rows).toEqual([{ d: new Date("2024-03-01") }]);
  });
});
