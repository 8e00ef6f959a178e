import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accepted, catalog, fixtureSql, refused, TEMPLATE_ARN } from "./corpus";
import { checkAgainstRules, QueryRefusal, validateQuery } from "./validate";

let db: DuckDBConnection;
let instance: DuckDBInstance;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  db = await instance.connect();
  await db.run(fixtureSql);
});
afterAll(() => {
  db.closeSync();
  instance.closeSync();
});

const rows = async (sql: string) => {
  const reader = await db.runAndReadAll(sql);
  return reader.getRowsJS().map((row) => JSON.stringify(row, (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
};

async function refusalOf(sql: string, source?: Parameters<typeof validateQuery>[2]): Promise<string> {
  try {
    await validateQuery(sql, catalog, source);
  } catch (error) {
    if (error instanceof QueryRefusal) return error.message;
    throw error;
  }
  throw new Error(`expected a refusal for: ${sql.slice(0, 200)}`);
}

describe("the query corpus", () => {
  it("holds at least 60 queries over the three rule types", () => {
    expect(accepted.length + refused.length).toBeGreaterThanOrEqual(60);
  });

  it.each(accepted.map((q) => [q.sql, q.plain]))("accepts %s, with the results plain DuckDB gives under the thresholds", async (sql, plain) => {
    const validated = await validateQuery(sql, catalog);
    // Row order matters only for a final ORDER BY (not one inside a window or subquery).
    const ordered = /\border by\b[^)]*$/i.test(sql);
    const [ours, theirs] = [await rows(validated.sql), await rows(plain)];
    expect(ordered ? ours : ours.sort()).toEqual(ordered ? theirs : theirs.sort());
  });

  it.each(refused)("refuses %s", async (sql, fragment) => {
    expect(await refusalOf(sql)).toContain(fragment);
  });
});

describe("output constraints", () => {
  it("drops groups below the strictest minimum of every table, without notice", async () => {
    const sql =
      "SELECT a.region, a.age_group, a.product_category, b.channel, COUNT(DISTINCT a.customer_id) AS n FROM org_a_customers a JOIN org_b_engagement b ON a.customer_id = b.customer_id GROUP BY a.region, a.age_group, a.product_category, b.channel";
    const validated = await validateQuery(sql, catalog);
    // Each table's constraint counts its own column, whatever the join makes equal to it.
    expect(validated.outputConstraints).toEqual([
      { tableKey: "a", column: "customer_id", minimum: 3 },
      { tableKey: "b", column: "customer_id", minimum: 5 },
    ]);
    const result = (await db.runAndReadAll(validated.sql)).getRowObjectsJS();
    expect(result.every((row) => Number(row.n) >= 5)).toBe(true);
    const unfiltered = (await db.runAndReadAll(sql)).getRowObjectsJS();
    expect(unfiltered.some((row) => Number(row.n) < 5)).toBe(true);
    expect(result.length).toBe(unfiltered.filter((row) => Number(row.n) >= 5).length);
  });

  it("removes the one-customer region entirely", async () => {
    const validated = await validateQuery("SELECT region, SUM(purchase_amount) AS total FROM org_a_customers GROUP BY region", catalog);
    expect((await rows(validated.sql)).some((r) => r.includes("north"))).toBe(false);
  });
});

describe("checking, and rendering the SQL to run", () => {
  const sql = "SELECT region, SUM(purchase_amount) AS total FROM org_a_customers GROUP BY region -- rendered once";

  it("gives the verdict first and the SQL to run when asked, the same as validateQuery", async () => {
    const checked = await checkAgainstRules(sql, catalog);
    const validated = await validateQuery(sql, catalog);
    expect({ ruleType: checked.ruleType, tables: checked.tables, outputConstraints: checked.outputConstraints }).toEqual({
      ruleType: validated.ruleType,
      tables: validated.tables,
      outputConstraints: validated.outputConstraints,
    });
    expect(await checked.render()).toBe(validated.sql);
    expect(validated.sql).toContain("count(DISTINCT");
  });

  it("renders a query once however often it is checked against the same rules, and again when a rule changes", async () => {
    const first = await checkAgainstRules(sql, catalog);
    const again = await checkAgainstRules(sql, catalog);
    expect(again.render()).toBe(first.render());
    // The same query under a stricter output constraint: a check of its own, with its own SQL.
    const stricter = structuredClone(catalog);
    const rule = stricter.tables[0]!.rule!;
    if (rule.type !== "AGGREGATION") throw new Error("the corpus's first table has an aggregation rule");
    rule.policy.outputConstraints[0]!.minimum = 4;
    const changed = await checkAgainstRules(sql, stricter);
    expect(changed.render()).not.toBe(first.render());
    expect(await changed.render()).toContain(">= 4");
    expect(await first.render()).toContain(">= 3");
  });
});

describe("templates and limits", () => {
  it("runs an allowed analysis template on a template-only table", async () => {
    const validated = await validateQuery("SELECT visits, count(*) FROM org_b_templated GROUP BY visits", catalog, { kind: "template", arn: TEMPLATE_ARN });
    expect(validated.ruleType).toBe("CUSTOM");
    expect(await refusalOf("SELECT visits FROM org_b_templated", { kind: "template", arn: TEMPLATE_ARN.replace(/2$/, "3") })).toContain("does not allow analysis template");
  });

  it("refuses a member that is not among a table's result receivers", async () => {
    const receivers = { ...catalog, tables: catalog.tables.map((t) => (t.name === "org_b_custom" ? { ...t, resultReceivers: ["222222222222"] } : t)) };
    await expect(validateQuery("SELECT visits FROM org_b_custom", receivers)).rejects.toThrow('Account 111111111111 is not an allowed result receiver of table "org_b_custom".');
    await expect(validateQuery("SELECT visits FROM org_b_custom", { ...receivers, runnerAccountId: "222222222222" })).resolves.toMatchObject({ ruleType: "CUSTOM" });
  });

  it("refuses queries that are too long or too deeply nested, quickly and without crashing", async () => {
    const long = `SELECT DISTINCT city FROM org_a_contacts WHERE city IN (${Array.from({ length: 70_000 }, (_, i) => `'c${i}'`).join(",")})`;
    expect(long.length).toBeGreaterThan(500_000);
    expect(await refusalOf(long)).toContain("the limit is 500000");
    const nested = `SELECT DISTINCT city FROM org_a_contacts WHERE ${"NOT ".repeat(3000)}city = 'x'`;
    const message = await refusalOf(nested);
    expect(message).toMatch(/nested too deeply|does not parse/);
  });

  it("never lets statements hidden in comments or strings through", async () => {
    const validated = await validateQuery("SELECT DISTINCT city FROM org_a_contacts WHERE city = '; DROP TABLE x; --' /* ; ATTACH 'x' */", catalog);
    expect(validated.sql).not.toMatch(/ATTACH/i);
    expect(await rows(validated.sql)).toEqual([]);
  });
});

describe("where a refusal points", () => {
  async function placeOf(sql: string): Promise<string | undefined> {
    try {
      await validateQuery(sql, catalog);
    } catch (error) {
      if (!(error instanceof QueryRefusal)) throw error;
      return error.position === undefined ? undefined : sql.slice(error.position, error.position + 12);
    }
    throw new Error(`expected a refusal for: ${sql}`);
  }

  it.each([
    ["a column the rule does not allow as a dimension", "SELECT purchase_amount, COUNT(DISTINCT customer_id) FROM org_a_customers GROUP BY purchase_amount", "purchase_amo"],
    ["an aggregate the rule does not allow", "SELECT region, SUM(customer_id) FROM org_a_customers GROUP BY region", "SUM(customer"],
    ["a scalar function outside scalarFunctions", "SELECT region, SUM(purchase_amount) FROM org_a_customers WHERE length(region) > 2 GROUP BY region", "length(regio"],
    ["a table that is not in the collaboration", "SELECT region, SUM(purchase_amount) FROM org_a_customerz GROUP BY region", "org_a_custom"],
    [
      "a join on a column that is not a join column",
      "SELECT c.region, SUM(c.purchase_amount) FROM org_a_customers c JOIN org_b_engagement e ON c.region = e.channel GROUP BY c.region",
      "c.region = e",
    ],
    ["a list column that is not one", "SELECT DISTINCT c.customer_id FROM org_a_contacts c", "c.customer_i"],
    ["a function a custom query may not call", "SELECT read_text('x') FROM org_a_custom", "read_text('x"],
    [
      "text after non-ASCII characters, counted as an editor counts",
      "SELECT region, SUM(purchase_amount) FROM org_a_customers WHERE region = 'Zürich 😀' AND spend > 1 GROUP BY region",
      "spend > 1 GR",
    ],
    ["a syntax error, after non-ASCII characters", "SELECT region FROM org_a_customers WHERE region = '😀é' AND AND x", "AND x"],
  ])("at %s", async (_what, sql, place) => {
    expect(await placeOf(sql)).toBe(place);
  });

  it("is absent where the refusal is about the whole query", async () => {
    expect(await placeOf("SELECT region, COUNT(DISTINCT customer_id) FROM org_a_customers GROUP BY region LIMIT 3")).toBeUndefined();
  });
});
