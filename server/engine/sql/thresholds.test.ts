import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { QueryCatalog } from "./catalog";
import { catalog } from "./corpus";
import { validateQuery } from "./validate";

// The minimum of an output constraint, at its edge: on data built so that groups hold exactly the
// minimum of distinct customers, one less and one more, a group of exactly the minimum appears and
// one of one less never does, however the query counts, joins or filters.

let instance: DuckDBInstance;
let db: DuckDBConnection;

// Customers of org-a by region: "exact" holds 3 (the minimum of org_a_customers), "below" 2,
// "above" 4; every customer has several rows, so counting rows would pass groups that distinct
// customers do not. Org-b engages with customers 0-5 and 20-22 (its minimum is 5).
beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  await db.run(`
    CREATE TABLE org_a_customers AS
      SELECT c AS customer_id, r AS region, CASE WHEN c = 23 THEN '25-34' ELSE '18-24' END AS age_group, 10.5 AS purchase_amount, 'books' AS product_category
      FROM (VALUES (0,'exact'),(1,'exact'),(2,'exact'),(10,'below'),(11,'below'),(20,'above'),(21,'above'),(22,'above'),(23,'above')) v(c, r), range(3);
    CREATE TABLE org_b_engagement AS
      SELECT c AS customer_id, 50 AS engagement_score, CASE WHEN c < 10 THEN 'email' ELSE 'social' END AS channel
      FROM (VALUES (0),(1),(2),(3),(4),(5),(20),(21),(22)) v(c), range(2);
  `);
});
afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

async function groups(sql: string, on: QueryCatalog = catalog): Promise<Record<string, number>> {
  const validated = await validateQuery(sql, on);
  const rows = (await db.runAndReadAll(validated.sql)).getRowsJS();
  return Object.fromEntries(rows.map((row) => [String(row[0]), Number(row[1])]));
}

describe("output constraints at their edge", () => {
  it("shows a group of exactly the minimum and never one of one less, however it is counted", async () => {
    expect(await groups("SELECT region, COUNT(DISTINCT customer_id) FROM org_a_customers GROUP BY region")).toEqual({ exact: 3, above: 4 });
    // Counting rows instead of customers: the constraint still counts customers.
    expect(await groups("SELECT region, SUM(purchase_amount) FROM org_a_customers GROUP BY region")).toEqual({ exact: 94.5, above: 126 });
    // A filter that leaves a group short of the minimum removes it.
    expect(await groups("SELECT region, COUNT(DISTINCT customer_id) FROM org_a_customers WHERE age_group = '25-34' GROUP BY region")).toEqual({});
    // One that leaves a group at exactly the minimum keeps it.
    expect(await groups("SELECT region, COUNT(DISTINCT customer_id) FROM org_a_customers WHERE age_group = '18-24' GROUP BY region")).toEqual({ exact: 3, above: 3 });
  });

  it("applies the strictest minimum of the joined tables at its edge: org-b's 5", async () => {
    const join = "FROM org_a_customers a INNER JOIN org_b_engagement b ON a.customer_id = b.customer_id";
    // Joined: "exact" keeps customers 0-2 (3 < 5) and "above" 20-22 (3 < 5): nothing shows.
    expect(await groups(`SELECT b.channel, COUNT(DISTINCT a.customer_id) ${join} GROUP BY b.channel`)).toEqual({});
    // With two more of org-a's customers, email reaches exactly org-b's minimum (customers 0-4); with one fewer, it is gone.
    await db.run(`INSERT INTO org_a_customers SELECT c, 'exact', '18-24', 1.0, 'books' FROM (VALUES (3),(4)) v(c)`);
    expect(await groups(`SELECT b.channel, COUNT(DISTINCT a.customer_id) ${join} GROUP BY b.channel`)).toEqual({ email: 5 });
    await db.run(`DELETE FROM org_a_customers WHERE customer_id = 4`);
    expect(await groups(`SELECT b.channel, COUNT(DISTINCT a.customer_id) ${join} GROUP BY b.channel`)).toEqual({});
    await db.run(`DELETE FROM org_a_customers WHERE customer_id = 3`);
  });

  it("moves with the rule: a minimum one higher hides the group of exactly the old minimum", async () => {
    const stricter: QueryCatalog = structuredClone(catalog);
    const rule = stricter.tables.find((t) => t.name === "org_a_customers")!.rule!;
    if (rule.type !== "AGGREGATION") throw new Error("the corpus's org_a_customers has an aggregation rule");
    rule.policy.outputConstraints = [{ columnName: "customer_id", minimum: 4, type: "COUNT_DISTINCT" }];
    expect(await groups("SELECT region, COUNT(DISTINCT customer_id) FROM org_a_customers GROUP BY region", stricter)).toEqual({ above: 4 });
  });
});
