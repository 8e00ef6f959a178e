import type { CatalogTable, QueryCatalog } from "./catalog";

// A small collaboration for the validator's tests: Organization A (111111111111) runs the
// queries; Organization B (222222222222) is the other member.

const A = "111111111111";
const B = "222222222222";
export const TEMPLATE_ARN = `arn:aws:cleanrooms:us-east-1:${A}:membership/3f1c2d4e-0000-4000-8000-000000000001/analysistemplate/3f1c2d4e-0000-4000-8000-000000000002`;

const cols = (...names: string[]) =>
  names.map((name) => ({ name, type: name.includes("amount") || name.includes("score") || name === "spend" ? "double" : name === "customer_id" || name === "visits" ? "bigint" : "string" }));

export const tables: CatalogTable[] = [
  {
    name: "org_a_customers",
    ownerAccountId: A,
    columns: cols("customer_id", "age_group", "region", "purchase_amount", "product_category"),
    rule: {
      type: "AGGREGATION",
      policy: {
        aggregateColumns: [
          { columnNames: ["purchase_amount"], function: "SUM" },
          { columnNames: ["purchase_amount"], function: "AVG" },
          { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
        ],
        joinColumns: ["customer_id"],
        dimensionColumns: ["age_group", "region", "product_category"],
        scalarFunctions: ["ROUND", "LOWER", "CAST", "COALESCE", "UPPER"],
        outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
      },
    },
  },
  {
    name: "org_b_engagement",
    ownerAccountId: B,
    columns: cols("customer_id", "engagement_score", "channel"),
    rule: {
      type: "AGGREGATION",
      policy: {
        aggregateColumns: [
          { columnNames: ["engagement_score"], function: "AVG" },
          { columnNames: ["engagement_score"], function: "SUM" },
        ],
        joinColumns: ["customer_id"],
        joinRequired: "QUERY_RUNNER",
        dimensionColumns: ["channel"],
        scalarFunctions: ["ROUND", "CAST", "COALESCE"],
        outputConstraints: [{ columnName: "customer_id", minimum: 5, type: "COUNT_DISTINCT" }],
      },
    },
  },
  {
    name: "org_a_contacts",
    ownerAccountId: A,
    columns: cols("customer_id", "email_domain", "city"),
    rule: { type: "LIST", policy: { joinColumns: ["customer_id"], listColumns: ["email_domain", "city"] } },
  },
  { name: "org_b_segments", ownerAccountId: B, columns: cols("customer_id", "segment", "score"), rule: { type: "LIST", policy: { joinColumns: ["customer_id"], listColumns: ["segment"] } } },
  {
    name: "org_a_custom",
    ownerAccountId: A,
    columns: cols("customer_id", "email", "region", "spend"),
    rule: { type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [A], disallowedOutputColumns: ["email"] } },
  },
  { name: "org_b_custom", ownerAccountId: B, columns: cols("customer_id", "visits"), rule: { type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [A, B] } } },
  { name: "org_b_templated", ownerAccountId: B, columns: cols("customer_id", "visits"), rule: { type: "CUSTOM", policy: { allowedAnalyses: [TEMPLATE_ARN] } } },
  {
    name: "org_b_private",
    ownerAccountId: B,
    columns: cols("customer_id", "visits"),
    rule: { type: "CUSTOM", policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [A], differentialPrivacy: { columns: [{ name: "customer_id" }] } } },
  },
  { name: "org_b_unruled", ownerAccountId: B, columns: cols("customer_id", "visits"), rule: null },
];

export const catalog: QueryCatalog = { tables, runnerAccountId: A };

/** Deterministic data with every column of every table, allowed or not, for comparing results. */
export const fixtureSql = `
CREATE TABLE org_a_customers AS SELECT range AS customer_id, ['18-24','25-34','35-44','45-54'][1 + range % 4] AS age_group,
  CASE WHEN range = 7 THEN 'north' ELSE ['east','west','central'][1 + range % 3] END AS region,
  ((range * 37) % 500) + 0.5 AS purchase_amount, ['books','home','garden','toys','food','tools','music'][1 + range % 7] AS product_category, 'secret-' || range AS ssn FROM range(240);
CREATE TABLE org_b_engagement AS SELECT range * 2 AS customer_id, (range * 13) % 100 AS engagement_score, ['email','social','mobile'][1 + range % 3] AS channel FROM range(150);
CREATE TABLE org_a_contacts AS SELECT range AS customer_id, ['a.example','b.example'][1 + range % 2] AS email_domain, ['Lyon','Oslo','Pune'][1 + range % 3] AS city FROM range(60);
CREATE TABLE org_b_segments AS SELECT range * 3 AS customer_id, ['gold','silver'][1 + range % 2] AS segment, range AS score FROM range(40);
CREATE TABLE org_a_custom AS SELECT range AS customer_id, 'user' || range || '@a.example' AS email, ['east','west'][1 + range % 2] AS region, range * 1.5 AS spend FROM range(50);
CREATE TABLE org_b_custom AS SELECT range AS customer_id, range % 7 AS visits FROM range(50);
CREATE TABLE org_b_templated AS SELECT range AS customer_id, range % 5 AS visits FROM range(50);
`;

/** An accepted query, and the same question asked of plain DuckDB with the thresholds applied by hand. */
export interface Accepted {
  sql: string;
  plain: string;
}

const aJoin = "FROM org_a_customers a INNER JOIN org_b_engagement b ON a.customer_id = b.customer_id";
const both = "count(DISTINCT a.customer_id) >= 3 AND count(DISTINCT b.customer_id) >= 5";

export const accepted: Accepted[] = [
  {
    sql: "SELECT age_group, COUNT(DISTINCT customer_id) AS customers, SUM(purchase_amount) AS total FROM org_a_customers GROUP BY age_group",
    plain: "SELECT age_group, COUNT(DISTINCT customer_id) AS customers, SUM(purchase_amount) AS total FROM org_a_customers GROUP BY age_group HAVING count(DISTINCT customer_id) >= 3",
  },
  {
    sql: "SELECT region, AVG(purchase_amount) FROM org_a_customers GROUP BY region",
    plain: "SELECT region, AVG(purchase_amount) FROM org_a_customers GROUP BY region HAVING count(DISTINCT customer_id) >= 3",
  },
  {
    sql: `SELECT a.age_group, a.region, COUNT(DISTINCT a.customer_id) AS customers, AVG(a.purchase_amount) AS avg_purchase, AVG(b.engagement_score) AS avg_engagement ${aJoin} GROUP BY a.age_group, a.region`,
    plain: `SELECT a.age_group, a.region, COUNT(DISTINCT a.customer_id) AS customers, AVG(a.purchase_amount) AS avg_purchase, AVG(b.engagement_score) AS avg_engagement ${aJoin} GROUP BY a.age_group, a.region HAVING ${both}`,
  },
  {
    sql: `SELECT b.channel, ROUND(AVG(b.engagement_score), 1) AS score ${aJoin} WHERE a.region IN ('east', 'west') GROUP BY b.channel ORDER BY score DESC`,
    plain: `SELECT b.channel, ROUND(AVG(b.engagement_score), 1) AS score ${aJoin} WHERE a.region IN ('east', 'west') GROUP BY b.channel HAVING ${both} ORDER BY score DESC`,
  },
  {
    sql: "SELECT LOWER(product_category) AS category, SUM(purchase_amount) FROM org_a_customers WHERE age_group <> '18-24' AND region LIKE '%st' GROUP BY LOWER(product_category)",
    plain:
      "SELECT LOWER(product_category) AS category, SUM(purchase_amount) FROM org_a_customers WHERE age_group <> '18-24' AND region LIKE '%st' GROUP BY LOWER(product_category) HAVING count(DISTINCT customer_id) >= 3",
  },
  {
    sql: "SELECT region, COUNT(DISTINCT customer_id) FROM org_a_customers GROUP BY region HAVING SUM(purchase_amount) > 1000",
    plain: "SELECT region, COUNT(DISTINCT customer_id) FROM org_a_customers GROUP BY region HAVING SUM(purchase_amount) > 1000 AND count(DISTINCT customer_id) >= 3",
  },
  {
    sql: "SELECT COUNT(DISTINCT customer_id) AS everyone FROM org_a_customers",
    plain: "SELECT COUNT(DISTINCT customer_id) AS everyone FROM org_a_customers HAVING count(DISTINCT customer_id) >= 3",
  },
  {
    sql: "SELECT region, SUM(purchase_amount) FROM org_a_customers WHERE region = 'north' GROUP BY region",
    plain: "SELECT region, SUM(purchase_amount) FROM org_a_customers WHERE region = 'north' GROUP BY region HAVING count(DISTINCT customer_id) >= 3",
  },
  {
    sql: "SELECT CAST(age_group AS VARCHAR) AS bucket, COALESCE(region, 'unknown') AS r, AVG(purchase_amount) FROM org_a_customers GROUP BY 1, 2 ORDER BY 1, 2",
    plain:
      "SELECT CAST(age_group AS VARCHAR) AS bucket, COALESCE(region, 'unknown') AS r, AVG(purchase_amount) FROM org_a_customers GROUP BY 1, 2 HAVING count(DISTINCT customer_id) >= 3 ORDER BY 1, 2",
  },
  {
    sql: "select age_group, sum(purchase_amount) + 1 as total_plus_one from ORG_A_CUSTOMERS group by age_group -- comment with ; DROP TABLE x",
    plain: "select age_group, sum(purchase_amount) + 1 as total_plus_one from ORG_A_CUSTOMERS group by age_group having count(DISTINCT customer_id) >= 3",
  },
  {
    sql: "SELECT age_group, SUM(DISTINCT purchase_amount) IS NULL AS none FROM org_a_customers GROUP BY age_group".replace("SUM(DISTINCT purchase_amount) IS NULL", "COUNT(DISTINCT customer_id) > 10"),
    plain: "SELECT age_group, COUNT(DISTINCT customer_id) > 10 AS none FROM org_a_customers GROUP BY age_group HAVING count(DISTINCT customer_id) >= 3",
  },
  {
    sql: "SELECT product_category, SUM(purchase_amount) FROM org_a_customers WHERE region BETWEEN 'a' AND 'f' AND NOT (age_group = '45-54') GROUP BY product_category",
    plain:
      "SELECT product_category, SUM(purchase_amount) FROM org_a_customers WHERE region BETWEEN 'a' AND 'f' AND NOT (age_group = '45-54') GROUP BY product_category HAVING count(DISTINCT customer_id) >= 3",
  },
  // LIST
  {
    sql: "SELECT DISTINCT c.email_domain, s.segment FROM org_a_contacts c INNER JOIN org_b_segments s ON c.customer_id = s.customer_id",
    plain: "SELECT DISTINCT c.email_domain, s.segment FROM org_a_contacts c INNER JOIN org_b_segments s ON c.customer_id = s.customer_id",
  },
  {
    sql: "SELECT DISTINCT city FROM org_a_contacts c JOIN org_b_segments s ON c.customer_id = s.customer_id WHERE city LIKE 'O%' AND segment IS NOT NULL LIMIT 5",
    plain: "SELECT DISTINCT city FROM org_a_contacts c JOIN org_b_segments s ON c.customer_id = s.customer_id WHERE city LIKE 'O%' AND segment IS NOT NULL LIMIT 5",
  },
  {
    sql: "SELECT DISTINCT city FROM org_a_contacts WHERE email_domain IN ('a.example')",
    plain: "SELECT DISTINCT city FROM org_a_contacts WHERE email_domain IN ('a.example')",
  },
  // CUSTOM
  {
    sql: "WITH spenders AS (SELECT customer_id, region, spend FROM org_a_custom WHERE spend > 10) SELECT region, count(*) AS n, sum(spend) FROM spenders GROUP BY region",
    plain: "WITH spenders AS (SELECT customer_id, region, spend FROM org_a_custom WHERE spend > 10) SELECT region, count(*) AS n, sum(spend) FROM spenders GROUP BY region",
  },
  {
    sql: "SELECT c.region, AVG(v.visits) FROM org_a_custom c JOIN org_b_custom v ON c.customer_id = v.customer_id WHERE c.email LIKE '%@a.example' GROUP BY c.region",
    plain: "SELECT c.region, AVG(v.visits) FROM org_a_custom c JOIN org_b_custom v ON c.customer_id = v.customer_id WHERE c.email LIKE '%@a.example' GROUP BY c.region",
  },
  {
    sql: "SELECT region, spend, rank() OVER (PARTITION BY region ORDER BY spend DESC) AS r FROM org_a_custom WHERE customer_id IN (SELECT customer_id FROM org_b_custom WHERE visits > 3)",
    plain: "SELECT region, spend, rank() OVER (PARTITION BY region ORDER BY spend DESC) AS r FROM org_a_custom WHERE customer_id IN (SELECT customer_id FROM org_b_custom WHERE visits > 3)",
  },
  {
    sql: "SELECT region FROM org_a_custom UNION SELECT CAST(visits AS VARCHAR) FROM org_b_custom",
    plain: "SELECT region FROM org_a_custom UNION SELECT CAST(visits AS VARCHAR) FROM org_b_custom",
  },
  {
    sql: "SELECT t.r, t.total FROM (SELECT region AS r, sum(spend) AS total FROM org_a_custom GROUP BY region) AS t ORDER BY t.total",
    plain: "SELECT t.r, t.total FROM (SELECT region AS r, sum(spend) AS total FROM org_a_custom GROUP BY region) AS t ORDER BY t.total",
  },
];

/** Refused queries, each with a fragment of the message that explains why. */
export const refused: [sql: string, fragment: string][] = [
  // aggregation: columns and functions
  ["SELECT age_group, MEDIAN(purchase_amount) FROM org_a_customers GROUP BY age_group", "Aggregate function MEDIAN is not allowed"],
  ["SELECT age_group, COUNT(purchase_amount) FROM org_a_customers GROUP BY age_group", 'Column "purchase_amount" of "org_a_customers" may only be aggregated with SUM or AVG, not COUNT'],
  ["SELECT age_group, SUM(customer_id) FROM org_a_customers GROUP BY age_group", 'Column "customer_id" of "org_a_customers" may only be aggregated with COUNT DISTINCT or COUNT, not SUM'],
  [
    "SELECT purchase_amount, COUNT(DISTINCT customer_id) FROM org_a_customers GROUP BY purchase_amount",
    'Column "purchase_amount" of "org_a_customers" may only be aggregated with SUM or AVG; it cannot appear in SELECT',
  ],
  ["SELECT customer_id, SUM(purchase_amount) FROM org_a_customers GROUP BY customer_id", 'Column "customer_id" of "org_a_customers" is a join column'],
  ["SELECT age_group, SUM(purchase_amount) FROM org_a_customers WHERE purchase_amount > 100 GROUP BY age_group", "cannot appear in WHERE outside an aggregate"],
  ["SELECT age_group, SUM(purchase_amount * 2) FROM org_a_customers GROUP BY age_group", "aggregates of expressions are not allowed"],
  ["SELECT age_group, COUNT(*) FROM org_a_customers GROUP BY age_group", "COUNT(*) is not allowed"],
  ["SELECT age_group FROM org_a_customers GROUP BY age_group", "must select at least one aggregate"],
  ["SELECT * FROM org_a_customers", "SELECT * is not allowed"],
  [
    "SELECT UPPER(age_group), SUM(b.engagement_score) FROM org_a_customers a JOIN org_b_engagement b ON a.customer_id = b.customer_id GROUP BY 1",
    "Scalar function UPPER is not in the aggregation rule's scalarFunctions",
  ],
  ["SELECT age_group, SUM(purchase_amount) FROM org_a_customers WHERE ssn = 'x' GROUP BY age_group", 'Column "ssn" is not an allowed column of any table in the query'],
  ["SELECT a.ssn, SUM(a.purchase_amount) FROM org_a_customers a GROUP BY 1", 'Column "ssn" is not an allowed column of "org_a_customers"'],
  ["SELECT age_group, SUM(purchase_amount) FROM org_a_customers GROUP BY age_group LIMIT 1", "LIMIT is not allowed by the aggregation rule"],
  ["SELECT DISTINCT age_group, SUM(purchase_amount) FROM org_a_customers GROUP BY age_group", "SELECT DISTINCT is not allowed"],
  ["SELECT age_group, SUM(purchase_amount), rank() OVER (ORDER BY age_group) FROM org_a_customers GROUP BY age_group", "Window functions are not allowed"],
  ["SELECT age_group, CASE WHEN SUM(purchase_amount) > 5 THEN 1 ELSE 0 END FROM org_a_customers GROUP BY age_group", "CASE expressions are not allowed"],
  ["WITH x AS (SELECT * FROM org_a_customers) SELECT age_group, SUM(purchase_amount) FROM x GROUP BY age_group", 'Table "x" is not a table of this collaboration'],
  ["SELECT age_group, SUM(purchase_amount) FROM (SELECT * FROM org_a_customers) t GROUP BY age_group", "Subqueries are not allowed by the aggregation rule"],
  ["SELECT age_group, SUM(purchase_amount) FROM org_a_customers WHERE region IN (SELECT region FROM org_a_customers) GROUP BY age_group", "Subqueries are not allowed by the aggregation rule"],
  [
    "SELECT age_group, SUM(purchase_amount) FROM org_a_customers GROUP BY age_group UNION SELECT age_group, SUM(purchase_amount) FROM org_a_customers GROUP BY age_group",
    "UNION, INTERSECT and EXCEPT are not allowed",
  ],
  // aggregation: joins
  [`SELECT b.channel, AVG(b.engagement_score) FROM org_a_customers a LEFT JOIN org_b_engagement b ON a.customer_id = b.customer_id GROUP BY b.channel`, "left outer joins are not allowed"],
  [`SELECT b.channel, AVG(b.engagement_score) FROM org_a_customers a, org_b_engagement b WHERE a.customer_id = b.customer_id GROUP BY b.channel`, "cross joins"],
  [`SELECT b.channel, AVG(b.engagement_score) FROM org_a_customers a JOIN org_b_engagement b ON a.region = b.channel GROUP BY b.channel`, 'Column "region" of "org_a_customers" is not a join column'],
  [
    `SELECT b.channel, AVG(b.engagement_score) FROM org_a_customers a JOIN org_b_engagement b ON a.customer_id = b.customer_id OR a.customer_id = b.customer_id GROUP BY b.channel`,
    "OR is not allowed",
  ],
  [
    `SELECT b.channel, AVG(b.engagement_score) FROM org_a_customers a JOIN org_b_engagement b ON a.customer_id > b.customer_id GROUP BY b.channel`,
    'Join conditions may only compare join columns with "="',
  ],
  [`SELECT b.channel, AVG(b.engagement_score) FROM org_a_customers a JOIN org_b_engagement b USING (customer_id) GROUP BY b.channel`, "JOIN … USING is not allowed"],
  ["SELECT channel, AVG(engagement_score) FROM org_b_engagement GROUP BY channel", 'Table "org_b_engagement" requires a join to a table of the member who queries'],
  [
    "SELECT age_group, SUM(purchase_amount) FROM org_a_customers a JOIN org_a_contacts c ON a.customer_id = c.customer_id GROUP BY age_group",
    "Tables with different analysis rules cannot be queried together",
  ],
  // list
  ["SELECT c.email_domain, s.segment FROM org_a_contacts c JOIN org_b_segments s ON c.customer_id = s.customer_id", "List queries must use SELECT DISTINCT"],
  ["SELECT DISTINCT s.segment FROM org_b_segments s", 'Table "org_b_segments" must be joined'],
  ["SELECT DISTINCT c.customer_id FROM org_a_contacts c JOIN org_b_segments s ON c.customer_id = s.customer_id", "is a join column, usable only in JOIN conditions"],
  ["SELECT DISTINCT s.score FROM org_a_contacts c JOIN org_b_segments s ON c.customer_id = s.customer_id", 'Column "score" of "org_b_segments" is not a list column'],
  ["SELECT DISTINCT UPPER(c.city) FROM org_a_contacts c", "allows only list columns in SELECT"],
  ["SELECT DISTINCT city FROM org_a_contacts WHERE LENGTH(city) > 3", "Function LENGTH is not allowed: the list rule allows no functions"],
  ["SELECT DISTINCT city FROM org_a_contacts ORDER BY city", "ORDER BY is not allowed by the list rule"],
  ["SELECT DISTINCT city, COUNT(*) FROM org_a_contacts GROUP BY city", "GROUP BY and HAVING are not allowed by the list rule"],
  // custom
  ["SELECT email FROM org_a_custom", 'Column "email" of "org_a_custom" is a disallowed output column'],
  ["SELECT upper(email) AS shout FROM org_a_custom", 'output column "shout"'],
  ["SELECT e FROM (SELECT email AS e FROM org_a_custom) t", "disallowed output column"],
  ["WITH x AS (SELECT email AS contact FROM org_a_custom) SELECT contact FROM x", "disallowed output column"],
  ["SELECT * FROM org_a_custom", "disallowed output column"],
  ["SELECT region FROM org_a_custom UNION ALL SELECT email FROM org_a_custom", "disallowed output column"],
  ["SELECT (SELECT max(email) FROM org_a_custom) AS m FROM org_b_custom", "disallowed output column"],
  ["SELECT customer_id FROM org_b_templated", "allows only its approved analysis templates"],
  ["SELECT customer_id FROM org_b_private", "GROUP BY key or one of COUNT, COUNT(DISTINCT …), SUM, AVG and STDDEV"],
  ["SELECT visits, count(*) FROM org_b_private GROUP BY visits HAVING count(*) > 1", "HAVING is not allowed in queries on differentially private tables"],
  ["SELECT max(visits) FROM org_b_private", "MAX is not allowed on differentially private tables"],
  ["SELECT count(*) FROM org_b_private p JOIN org_a_custom c ON p.visits = c.customer_id WHERE (SELECT 1) = 1", "Subqueries are not allowed in WHERE"],
  ["SELECT customer_id FROM org_b_unruled", 'Table "org_b_unruled" has no analysis rule'],
  ["SELECT customer_id, current_setting('threads') FROM org_b_custom", "Function CURRENT_SETTING is not allowed"],
  // escapes
  ["SELECT * FROM read_csv('/etc/passwd')", "Table functions (such as read_csv or glob) are not allowed"],
  ["SELECT * FROM '/etc/passwd'", 'Table "/etc/passwd" is not a table of this collaboration'],
  ["COPY org_a_customers TO '/tmp/out.csv'", "Only a single SELECT statement is allowed"],
  ["ATTACH '/tmp/x.db' AS x", "Only a single SELECT statement is allowed"],
  ["INSTALL httpfs", "Only a single SELECT statement is allowed"],
  ["LOAD httpfs", "Only a single SELECT statement is allowed"],
  ["SET threads = 8", "Only a single SELECT statement is allowed"],
  ["PRAGMA database_list", "Only a single SELECT statement is allowed"],
  ["SELECT * FROM glob('/*')", "Table functions"],
  ["SELECT getenv('HOME') FROM org_b_custom", "Function GETENV is not allowed"],
  ["SELECT * FROM duckdb_tables()", "Table functions"],
  ["SELECT * FROM information_schema.tables", '"information_schema.tables" is not a table of this collaboration'],
  ["SELECT * FROM org_a_other_collaboration_table", 'Table "org_a_other_collaboration_table" is not a table of this collaboration'],
  ["SELECT age_group, SUM(purchase_amount) FROM org_a_customers GROUP BY age_group; DROP TABLE org_a_customers", "Only a single SELECT statement is allowed"],
  ["SELECT age_group, SUM(purchase_amount) FROM org_a_customers GROUP BY age_group; SELECT 1", "Only a single SELECT statement is allowed"],
  ["SELECT 1", "must read at least one table"],
  ["SELEC age_group FROM org_a_customers", "The query does not parse"],
];
