import { CreateDatabaseCommand, CreateTableCommand } from "@aws-sdk/client-glue";
import {
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  StartProtectedQueryCommand,
  UpdatePrivacyBudgetTemplateCommand,
  PreviewPrivacyImpactCommand,
} from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxCounts, selectionThreshold } from "@/server/engine/privacy/accounting";
import { privacyWorld, type PrivacyWorld } from "./privacy-world";

// Differentially private queries through the SDK: what passes, what it returns, what it spends.
// "visits": 3,000 customers in three regions (plus one customer alone in "north"), one row each,
// with a spend between 1 and 100. "purchases": 4 rows for each of the first 2,000 customers and
// 300 rows for customer 1. usersNoisePerQuery 10, so a COUNT's noise is about ±10 rows per user.

let world: PrivacyWorld;
const regions = ["east", "west", "central"];
const csv = [
  "customer_id,region,spend",
  ...Array.from({ length: 3000 }, (_, i) => `${i + 1},${regions[i % 3]},${(i % 100) + 1}`),
  "3001,north,50",
  // Rows without a user identifier belong to nobody the budget can protect: they are left out.
  ",east,5",
].join("\n");
const purchases = [
  "customer_id,amount",
  ...Array.from({ length: 2000 }, (_, i) => Array.from({ length: 4 }, (_, k) => `${i + 1},${10 * (k + 1)}`)).flat(),
  ...Array.from({ length: 296 }, () => "1,1000"),
].join("\n");

beforeAll(async () => {
  world = await privacyWorld({ tables: { visits: csv, purchases }, epsilon: 20, usersNoisePerQuery: 10 });
}, 60_000);
afterAll(() => world.cloud.close());

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: Error) => error.message,
  );
const start = (sql: string) => world.analyst.send(new StartProtectedQueryCommand({ membershipIdentifier: world.analystMembership, type: "SQL", sqlParameters: { queryString: sql } }));

describe("queries on differentially private tables", () => {
  it("returns noisy counts and sums close to the truth, for groups with enough users only, and reports the bounds it used", async () => {
    const query = await world.run("SELECT region, COUNT(*) AS customers, SUM(spend) AS spend, AVG(spend) AS average FROM visits GROUP BY region ORDER BY region");
    expect(query.status).toBe("SUCCESS");
    const [header, ...rows] = await world.result(query);
    expect(header).toEqual(["region", "customers", "spend", "average"]);
    // "north" has one user: far below the selection threshold, so it never appears.
    expect(selectionThreshold(10, 1)).toBeGreaterThan(100);
    expect(rows.map((r) => r[0])).toEqual(["central", "east", "west"]);
    for (const [, customers, spend, average] of rows) {
      // Noise of scale 10 (count) exceeds 250 with probability below 1e-10.
      expect(Math.abs(Number(customers) - 1000)).toBeLessThan(250);
      expect(Math.abs(Number(average) - 50.5)).toBeLessThan(15);
      expect(Math.abs(Number(spend) - 50_500)).toBeLessThan(20_000);
    }
    const parameters = query.differentialPrivacy!.sensitivityParameters!;
    expect(parameters.map((p) => p.aggregationType)).toEqual(["COUNT", "SUM", "AVG"]);
    expect(parameters[0]).toMatchObject({ aggregationExpression: "count_star()", userContributionLimit: 1 });
    // Spends run 1…100: the private range estimate is the next power of two, 128.
    expect(parameters[1]).toMatchObject({ aggregationExpression: "sum(spend)", userContributionLimit: 1, minColumnValue: 0, maxColumnValue: 128 });
  });

  it("refuses, before spending anything, queries the mechanism cannot account for", async () => {
    const before = await world.budget();
    const refusals: [string, RegExp][] = [
      ["SELECT customer_id, spend FROM visits", /GROUP BY key or one of COUNT/],
      ["SELECT MAX(spend) FROM visits", /MAX is not allowed on differentially private tables/],
      ["SELECT region, COUNT(*) FROM visits GROUP BY region HAVING COUNT(*) > 5", /HAVING is not allowed/],
      ["SELECT COUNT(*) + 1 FROM visits", /GROUP BY key or one of COUNT/],
      ["SELECT SUM(region) FROM visits", /SUM needs a numeric argument/],
      ["SELECT COUNT(*) FROM visits WHERE nope > 1", /Column "nope" is not an allowed column/],
      ["SELECT COUNT(*) FROM visits v JOIN visits w ON v.region = w.region", /must be joined by equality of their user identifiers/],
      ["WITH x AS (SELECT region, COUNT(*) AS n FROM visits GROUP BY region) SELECT SUM(n) FROM x", /must return user-level rows/],
      ["SELECT COUNT(*) FROM visits WHERE spend > (SELECT AVG(spend) FROM visits)", /Subqueries are not allowed in WHERE/],
      ["SELECT region, COUNT(*) FROM visits GROUP BY region ORDER BY spend", /ORDER BY in a query on differentially private tables names output columns/],
      ["SELECT COUNT(*) OVER () FROM visits", /Window functions are not allowed|GROUP BY key or one of COUNT/],
      ["SELECT COUNT(*) FROM visits WHERE regexp_matches(region, 'e')", /Function REGEXP_MATCHES is not allowed in queries on differentially private tables/],
      ["SELECT COUNT(*) FROM visits v JOIN purchases p ON v.region = p.amount", /must be joined by equality of their user identifiers/],
    ];
    for (const [sql, message] of refusals) expect(await failure(start(sql)), sql).toMatch(message);
    expect(await world.budget()).toEqual(before);
  });

  it("bounds each user's rows by a limit it estimates privately, after joins", async () => {
    // Most users have 4 purchases: the limit is 4, and customer 1's 300 rows count as 4.
    const query = await world.run("SELECT COUNT(*) AS purchases, SUM(p.amount) AS total FROM visits v JOIN purchases p ON v.customer_id = p.customer_id");
    expect(query.status).toBe("SUCCESS");
    const [count, total] = (await world.result(query))[1]!.map(Number);
    expect(query.differentialPrivacy!.sensitivityParameters![0]!.userContributionLimit).toBe(4);
    expect(query.differentialPrivacy!.sensitivityParameters![1]).toMatchObject({ minColumnValue: 0, maxColumnValue: 64 });
    // 2,000 users × 4 rows; noise of scale 10·4 = 40 rows (and 40·64 for the sum) stays well inside these bounds.
    expect(Math.abs(count! - 8000)).toBeLessThan(1000);
    // Customer 1's four kept rows are a hash's choice among its 300: the total is 2,000·100 up to 4·(64 − 10)… and clamping 1000 to 64.
    expect(Math.abs(total! - 200_000)).toBeLessThan(60_000);
  });

  it("runs WITH queries and subqueries that return user-level rows", async () => {
    const query = await world.run(
      "WITH east AS (SELECT customer_id, spend * 2 AS doubled FROM visits WHERE region = 'east') SELECT COUNT(*) AS n, AVG(e.doubled) AS average FROM east e JOIN (SELECT * FROM purchases) p ON e.customer_id = p.customer_id",
    );
    expect(query.status).toBe("SUCCESS");
    const [n, average] = (await world.result(query))[1]!.map(Number);
    // East holds customers 3, 6, …, of whom those up to 2,000 have 4 purchases each: 666 × 4 rows.
    expect(Math.abs(n! - 2664)).toBeLessThan(600);
    expect(Math.abs(average! - 101)).toBeLessThan(30);
  });

  it("turns a value that would make the query fail for one user into NULL, so failure cannot tell about that user", async () => {
    const query = await world.run("SELECT COUNT(*) AS n FROM visits WHERE CAST(CASE WHEN customer_id = 7 THEN 'x' ELSE '1' END AS INTEGER) = 1");
    expect(query.status).toBe("SUCCESS");
    expect(Math.abs(Number((await world.result(query))[1]![0]) - 3000)).toBeLessThan(250);
  });

  it("charges each query its measurements over usersNoisePerQuery, exactly as ListPrivacyBudgets reports", async () => {
    const before = await world.budget();
    // COUNT without GROUP BY: the contribution estimate and the count, 2 measurements of 1/10.
    const query = await world.run("SELECT COUNT(DISTINCT customer_id) AS users FROM visits");
    expect(query.status).toBe("SUCCESS");
    const users = Number((await world.result(query))[1]![0]);
    expect(Math.abs(users - 3001)).toBeLessThan(250);
    const after = await world.budget();
    // It took 2 measurements of 1/10: one COUNT query's worth, out of the same maxCount.
    expect(after.COUNT).toEqual({ maxCount: maxCounts(20, 10).find((m) => m.type === "COUNT")!.maxCount, remainingCount: before.COUNT!.remainingCount - 1 });
  });

  it("does not let a member who receives results protect its own tables with differential privacy", async () => {
    const glue = await world.cloud.glue("org-a");
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "own" } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: "own",
        TableInput: { Name: "people", StorageDescriptor: { Location: "s3://org-a-results/people/", Columns: [{ Name: "customer_id", Type: "bigint" }] } },
      }),
    );
    const table = (
      await world.analyst.send(
        new CreateConfiguredTableCommand({ name: "people", tableReference: { glue: { databaseName: "own", tableName: "people" } }, allowedColumns: ["customer_id"], analysisMethod: "DIRECT_QUERY" }),
      )
    ).configuredTable!.id!;
    await world.analyst.send(
      new CreateConfiguredTableAnalysisRuleCommand({
        configuredTableIdentifier: table,
        analysisRuleType: "CUSTOM",
        analysisRulePolicy: { v1: { custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"], differentialPrivacy: { columns: [{ name: "customer_id" }] } } } },
      }),
    );
    const associated = failure(
      world.analyst.send(
        new CreateConfiguredTableAssociationCommand({
          membershipIdentifier: world.analystMembership,
          configuredTableIdentifier: table,
          name: "people",
          roleArn: "arn:aws:iam::111111111111:role/CleanRooms",
        }),
      ),
    );
    expect(await associated).toMatch(/can receive results in this collaboration, so it cannot add a table protected by differential privacy/);
  });

  it("previews the aggregations a template would allow", async () => {
    const { privacyImpact } = await world.owner.send(
      new PreviewPrivacyImpactCommand({ membershipIdentifier: world.ownerMembership, parameters: { differentialPrivacy: { epsilon: 3, usersNoisePerQuery: 30 } } }),
    );
    expect(privacyImpact!.differentialPrivacy!.aggregations).toEqual([
      { type: "AVG", maxCount: 22 },
      { type: "COUNT", maxCount: 45 },
      { type: "COUNT_DISTINCT", maxCount: 45 },
      { type: "SUM", maxCount: 30 },
      { type: "STDDEV", maxCount: 18 },
    ]);
  });

  it("refuses to lower epsilon once queries have spent (privacy-ledger.test.ts covers refunds)", async () => {
    const lowered = failure(
      world.owner.send(
        new UpdatePrivacyBudgetTemplateCommand({
          membershipIdentifier: world.ownerMembership,
          privacyBudgetTemplateIdentifier: world.templateId,
          privacyBudgetType: "DIFFERENTIAL_PRIVACY",
          parameters: { differentialPrivacy: { epsilon: 19 } },
        }),
      ),
    );
    expect(await lowered).toMatch(/can be raised but not lowered/);
  });
});
