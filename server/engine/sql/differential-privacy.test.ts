import { describe, expect, it } from "vitest";
import { singleAggregationMeasurements } from "@/server/engine/privacy/accounting";
import type { CustomPolicy, QueryCatalog } from "./catalog";
import { catalog } from "./corpus";
import { QueryRefusal, validateQuery } from "./validate";

// The plan of a query on differentially private tables: what the engine runs, and what it costs.

const plan = async (sql: string, runner = catalog.runnerAccountId) => (await validateQuery(sql, { ...catalog, runnerAccountId: runner })).privacy!;

/** The corpus's catalog, where both members may query and each has a table protected by differential privacy. */
function twoProtectedOwners(): QueryCatalog {
  const tables = catalog.tables.map((t) => structuredClone(t));
  const theirs = tables.find((t) => t.name === "org_b_private")!;
  (theirs.rule!.policy as CustomPolicy).allowedAnalysisProviders = ["111111111111", "222222222222"];
  tables.push({ ...structuredClone(theirs), name: "org_a_private", ownerAccountId: "111111111111" });
  return { tables, runnerAccountId: "222222222222" };
}

describe("differential privacy plans", () => {
  it("splits the query into user-level rows and the aggregations the engine computes", async () => {
    const p = await plan("SELECT visits AS v, COUNT(*) AS n, SUM(visits + 1), AVG(visits + 1) FROM org_b_private WHERE visits > 2 GROUP BY visits ORDER BY n DESC LIMIT 3");
    expect(p.rowsSql).toMatch(/^SELECT org_b_private\.customer_id AS __uid, try\(visits\) AS __g0, try\(\(visits \+ 1\)\) AS __a0 FROM org_b_private WHERE try\(\(visits > 2\)\)$/);
    expect(p.aggregations.map((a) => [a.type, a.argument, a.expression])).toEqual([
      ["COUNT", null, "count_star()"],
      ["SUM", 0, "sum((visits + 1))"],
      ["AVG", 0, "avg((visits + 1))"],
    ]);
    expect(p.outputs.map((o) => o.name)).toEqual(["v", "n", "sum((visits + 1))", "avg((visits + 1))"]);
    expect(p.order).toEqual([{ output: 1, descending: true, nulls: null }]);
    expect(p.limit).toBe(3);
    // Contribution limit, selection, one range (shared by SUM and AVG), COUNT 1, SUM 1, AVG 2.
    expect(p.measurements).toBe(1 + 1 + 1 + 1 + 1 + 2);
  });

  it("costs what maxCount assumes for a query of one aggregation", async () => {
    expect((await plan("SELECT COUNT(*) FROM org_b_private")).measurements).toBe(singleAggregationMeasurements("COUNT"));
    expect((await plan("SELECT COUNT(DISTINCT customer_id) FROM org_b_private")).measurements).toBe(singleAggregationMeasurements("COUNT_DISTINCT"));
    expect((await plan("SELECT SUM(visits) FROM org_b_private")).measurements).toBe(singleAggregationMeasurements("SUM"));
    expect((await plan("SELECT AVG(visits) FROM org_b_private")).measurements).toBe(singleAggregationMeasurements("AVG"));
    expect((await plan("SELECT STDDEV(visits) FROM org_b_private")).measurements).toBe(singleAggregationMeasurements("STDDEV"));
  });

  it("keeps equalities of same-typed columns bare for hash joins and guards every other condition", async () => {
    const p = await plan("SELECT COUNT(*) FROM org_b_private p JOIN org_a_custom c ON p.customer_id = c.customer_id AND p.visits > 1");
    expect(p.rowsSql).toContain("ON (((p.customer_id = c.customer_id) AND try((p.visits > 1))))");
  });

  it("refuses the owner's own differentially private tables, and tables of two protected owners together", async () => {
    const both = twoProtectedOwners();
    await expect(validateQuery("SELECT COUNT(*) FROM org_b_private", both)).rejects.toThrow(/cannot query your own differentially private tables/);
    await expect(validateQuery("SELECT COUNT(*) FROM org_a_private a JOIN org_b_private b ON a.customer_id = b.customer_id", both)).rejects.toThrow(
      /Tables of two members that both use differential privacy cannot be queried together/,
    );
    await expect(validateQuery("SELECT COUNT(*) FROM org_a_private", both)).resolves.toMatchObject({ privacy: { protectedOwnerAccountId: "111111111111" } });
    await expect(validateQuery("SELECT COUNT(*) FROM org_b_private", both)).rejects.toBeInstanceOf(QueryRefusal);
  });
});

describe("WITH queries and subqueries on differentially private tables", () => {
  it("merges a user-level WITH query into the query that reads it", async () => {
    const p = await plan("WITH p AS (SELECT customer_id, visits * 2 AS twice FROM org_b_private WHERE visits > 1) SELECT twice, COUNT(*) FROM p GROUP BY twice");
    expect(p.rowsSql).toBe(
      "SELECT p__1__org_b_private.customer_id AS __uid, try((p__1__org_b_private.visits * 2)) AS __g0 FROM org_b_private AS p__1__org_b_private WHERE try((p__1__org_b_private.visits > 1))",
    );
    expect(p.outputs.map((o) => o.name)).toEqual(["twice", "count_star()"]);
  });

  it("merges a subquery in FROM, with *, joined to another table", async () => {
    const p = await plan("SELECT COUNT(*) AS n, SUM(s.visits) FROM (SELECT * FROM org_b_private WHERE visits < 9) AS s JOIN org_a_custom c ON s.customer_id = c.customer_id");
    expect(p.rowsSql).toContain("FROM org_b_private AS s__1__org_b_private INNER JOIN org_a_custom AS c ON ((s__1__org_b_private.customer_id = c.customer_id))");
    expect(p.rowsSql).toContain("WHERE try((s__1__org_b_private.visits < 9))");
    expect(p.aggregations.map((a) => a.type)).toEqual(["COUNT", "SUM"]);
  });

  it("refuses subqueries that do not return user-level rows, and columns it cannot place", async () => {
    await expect(plan("WITH x AS (SELECT customer_id, count(*) AS n FROM org_b_private GROUP BY customer_id) SELECT SUM(n) FROM x")).rejects.toThrow(/must return user-level rows/);
    await expect(plan("SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM org_b_private) s")).rejects.toThrow(/must return user-level rows/);
    await expect(plan("SELECT COUNT(*) FROM (SELECT visits + 1 FROM org_b_private) s")).rejects.toThrow(/Give each computed column of the subquery "s" a name/);
    await expect(plan("SELECT SUM(s.nope) FROM (SELECT * FROM org_b_private) s")).rejects.toThrow(/The subquery "s" has no column "nope"/);
    await expect(plan("SELECT COUNT(*) FROM org_b_private WHERE visits IN (SELECT visits FROM org_b_private)")).rejects.toThrow(/Subqueries are not allowed in WHERE/);
  });
});

describe("a subquery that joins tables of its own", () => {
  it("keeps its join condition on its tables, renamed with them", async () => {
    const p = await plan("SELECT COUNT(*) FROM (SELECT p.visits, c.customer_id FROM org_b_private p JOIN org_a_custom c ON p.customer_id = c.customer_id) s WHERE s.visits > 1");
    expect(p.rowsSql).toContain("FROM org_b_private AS s__1__p INNER JOIN org_a_custom AS s__1__c ON ((s__1__p.customer_id = s__1__c.customer_id))");
    expect(p.rowsSql).toContain("WHERE try((s__1__p.visits > 1))");
  });

  it("holds it to the same join rule: protected tables join only on the user identifier", async () => {
    await expect(plan("SELECT COUNT(*) FROM (SELECT a.visits FROM org_b_private a JOIN org_b_private b ON a.visits = b.visits) s")).rejects.toThrow(
      /must be joined by equality of their user identifiers/,
    );
  });
});
