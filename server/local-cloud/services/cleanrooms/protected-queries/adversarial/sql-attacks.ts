// SQL an attacking member (Organization A) submits through StartProtectedQuery, by class. Each is
// judged by the suite against the ground truth of world.ts: no protected value may appear in a
// result or a message, and no answer may be a 500. `refused` attacks must also be refused;
// `runs` attacks must also succeed (the rules allow them, and they still leak nothing).

export type AttackClass =
  | "names"
  | "thresholds"
  | "errors"
  | "custom-output"
  | "big-integers"
  | "file-access"
  | "settings"
  | "catalog"
  | "exhaustion"
  | "list";

export interface SqlAttack {
  cls: AttackClass;
  sql: string;
  expect: "refused" | "runs" | "no-leak";
}

const refused = (cls: AttackClass, ...sqls: string[]): SqlAttack[] => sqls.map((sql) => ({ cls, sql, expect: "refused" }));
const runs = (cls: AttackClass, ...sqls: string[]): SqlAttack[] => sqls.map((sql) => ({ cls, sql, expect: "runs" }));
const noLeak = (cls: AttackClass, ...sqls: string[]): SqlAttack[] => sqls.map((sql) => ({ cls, sql, expect: "no-leak" }));

const join = "FROM b_customers b JOIN a_ids a ON b.customer_id = a.customer_id";

export const sqlAttacks: SqlAttack[] = [
  // 1. Names: letter case, quoting, schemas, CTEs named like tables.
  ...refused(
    "names",
    "SELECT * FROM B_VICT",
    'SELECT "B_VICT".email FROM b_vict',
    'SELECT email FROM "b_vict"',
    "SELECT * FROM main.b_vict",
    "SELECT * FROM memory.main.b_vict",
    "WITH b_vict AS (SELECT customer_id, tag AS region FROM a_custom) SELECT * FROM b_vict",
    "WITH B_Vict AS (SELECT 1 AS x) SELECT x FROM B_Vict",
    "WITH a_custom AS (SELECT * FROM b_vict) SELECT * FROM a_custom",
    "SELECT * FROM (WITH b_vict AS (SELECT * FROM a_custom) SELECT * FROM b_vict) t",
    "SELECT tag FROM a_custom UNION ALL (WITH b_vict AS (SELECT tag FROM a_custom) SELECT * FROM b_vict)",
    "WITH x AS (SELECT email FROM b_vict), x AS (SELECT tag FROM a_custom) SELECT * FROM x",
    "SELECT a_custom.email FROM b_vict AS a_custom",
    'SELECT * FROM "b_vict "',
    "SELECT * FROM b_vіct",
    "SELECT * FROM b_vict_",
  ),
  ...runs("names", "SELECT region FROM B_VICT", "SELECT a_custom.region FROM b_vict AS a_custom", "SELECT count(*) AS n FROM B_Vict JOIN A_CUSTOM USING (customer_id)"),

  // 2. Thresholds: duplicates and spellings on the attacker's side, joins across types, groupings.
  ...refused(
    "thresholds",
    "SELECT b.segment, AVG(b.amount) FROM b_customers b JOIN a_strs a ON b.customer_id = a.customer_id GROUP BY b.segment",
    "SELECT b.segment, AVG(b.amount) FROM b_customers b JOIN a_strs a ON CAST(b.customer_id AS VARCHAR) = a.customer_id GROUP BY b.segment",
    `SELECT b.segment, AVG(b.amount) ${join} OR b.customer_id = a.customer_id GROUP BY b.segment`,
    "SELECT segment, SUM(amount) FROM b_customers GROUP BY ROLLUP (segment)",
    "SELECT segment, SUM(amount) FROM b_customers GROUP BY CUBE (segment, region)",
    "SELECT segment, SUM(amount) FROM b_customers GROUP BY GROUPING SETS ((segment), ())",
    "SELECT segment, SUM(DISTINCT amount) FROM b_customers GROUP BY segment",
    "SELECT region, AVG(amount) FROM b_customers WHERE amount > 80000 GROUP BY region",
    "SELECT region, AVG(amount) FROM b_customers WHERE customer_id = 101 GROUP BY region",
    "SELECT region, AVG(amount) FROM b_customers WHERE customer_id IN (100, 101, 102) GROUP BY region",
    "SELECT segment, SUM(amount) FROM b_customers GROUP BY segment LIMIT 1",
    "SELECT segment, MAX(amount) FROM b_customers GROUP BY segment",
    "SELECT segment, SUM(amount) FROM b_customers GROUP BY ALL",
    "SELECT segment, COUNT(*) FROM b_customers GROUP BY segment",
    "SELECT segment, SUM(amount), row_number() OVER () FROM b_customers GROUP BY segment",
    "SELECT segment || '', SUM(amount) FROM b_customers GROUP BY 1",
    "SELECT amount, COUNT(DISTINCT customer_id) FROM b_customers GROUP BY amount",
    "SELECT s, SUM(a) FROM (SELECT segment AS s, amount AS a FROM b_customers) GROUP BY s",
    "WITH t AS (SELECT * FROM b_customers) SELECT segment, SUM(amount) FROM t GROUP BY segment",
    `SELECT b.segment, AVG(b.amount) FROM b_customers b LEFT JOIN a_ids a ON b.customer_id = a.customer_id GROUP BY b.segment`,
    `SELECT b.segment, AVG(b.amount) FROM b_customers b, a_ids a WHERE b.customer_id = a.customer_id GROUP BY b.segment`,
    "SELECT segment, SUM(amount) FILTER (WHERE region = 'east') FROM b_customers GROUP BY segment",
    "SELECT segment, COUNT(DISTINCT customer_id) FROM b_customers b(customer_id, region, segment, amount) GROUP BY segment",
    "SELECT segment, SUM(customer_id) FROM b_customers b(amount, segment, region, customer_id) GROUP BY segment",
    "SELECT segment, SUM(amount) FROM b_customers TABLESAMPLE 50% GROUP BY segment",
  ),
  ...runs(
    "thresholds",
    `SELECT b.segment, AVG(b.amount) AS a ${join} GROUP BY b.segment`,
    `SELECT b.segment, a.grp, SUM(b.amount) AS s ${join} GROUP BY b.segment, a.grp`,
    `SELECT b.segment, COUNT(a.customer_id) AS n ${join} GROUP BY b.segment`,
    `SELECT b.region, COUNT(DISTINCT a.customer_id) AS n ${join} WHERE a.grp = 'p' GROUP BY b.region`,
    "SELECT segment, SUM(amount) AS s FROM b_customers GROUP BY segment HAVING COUNT(DISTINCT customer_id) >= 1",
    "SELECT segment, SUM(amount) AS s FROM b_customers GROUP BY segment HAVING COUNT(DISTINCT customer_id) < 3",
    "SELECT segment, COUNT(DISTINCT customer_id) AS n FROM b_customers GROUP BY segment HAVING SUM(amount) > 80000",
    "SELECT segment, AVG(amount) AS a FROM b_customers WHERE segment LIKE 'c%' GROUP BY segment",
    "SELECT segment, AVG(amount) AS a FROM b_customers WHERE segment NOT IN ('gold', 'silver', 'bronze') GROUP BY segment",
    "SELECT LOWER(segment) AS s, AVG(amount) AS a FROM b_customers GROUP BY LOWER(segment)",
    "SELECT b1.segment, SUM(b1.amount) AS s FROM b_customers b1 JOIN b_customers b2 ON b1.customer_id = b2.customer_id GROUP BY b1.segment",
    "SELECT segment, region, ROUND(AVG(amount), 3) AS a FROM b_customers GROUP BY segment, region",
    "SELECT segment, AVG(amount) AS a FROM b_customers GROUP BY segment ORDER BY AVG(amount) DESC",
    "SELECT COALESCE(segment, 'none') AS s, SUM(amount) AS t FROM b_customers GROUP BY COALESCE(segment, 'none')",
    "SELECT UPPER(segment) AS s, COUNT(DISTINCT customer_id) AS n FROM b_customers WHERE region = 'east' GROUP BY UPPER(segment)",
    "SELECT BC.segment, SUM(BC.amount) AS s FROM b_customers AS BC GROUP BY BC.segment",
    "SELECT segment, SUM(amount) AS s FROM B_CUSTOMERS GROUP BY segment",
  ),

  // 3. Values in error messages, and errors from groups below the minimum.
  ...noLeak(
    "errors",
    "SELECT region, SUM(amount) FROM b_customers WHERE CAST(segment AS INTEGER) = 1 GROUP BY region",
    "SELECT region, SUM(amount) FROM b_customers WHERE CAST(segment AS DATE) IS NULL GROUP BY region",
    "SELECT region, SUM(amount) FROM b_customers WHERE CAST(LOWER(segment) AS DOUBLE) > 0 GROUP BY region",
    "SELECT region FROM b_vict WHERE CAST(email AS INTEGER) > 0",
    "SELECT region FROM b_vict WHERE strptime(email, '%Y-%m') IS NOT NULL",
    "SELECT region FROM b_vict WHERE CAST(email AS DATE) > DATE '2020-01-01'",
    "SELECT region FROM b_vict WHERE CAST(email AS UUID) IS NULL",
    "SELECT region FROM b_vict WHERE CAST(email AS DECIMAL(4, 2)) > 1",
    "SELECT region FROM b_vict WHERE CAST(email AS BOOLEAN)",
    "SELECT region FROM b_vict WHERE CAST(email AS TIMESTAMP) IS NULL",
    "SELECT region FROM b_vict WHERE regexp_matches(email, '(')",
    "SELECT region FROM b_vict WHERE make_date(2024, 1, CAST(length(email) AS INTEGER)) IS NULL",
    "SELECT region FROM b_vict WHERE to_timestamp(CAST(length(email) AS DOUBLE) * 1e15) IS NULL",
    "SELECT region FROM b_vict WHERE CAST(substring(email, 6, 4) AS INTEGER) = 1",
    "SELECT region FROM b_vict v JOIN a_custom a ON CAST(v.email AS INTEGER) = a.customer_id",
    "SELECT CAST(tag AS INTEGER) FROM a_custom",
    "SELECT region FROM b_vict WHERE date_part(email, DATE '2020-01-01') = 1",
  ),
  ...runs(
    "errors",
    "SELECT segment, CAST(SUM(amount) AS SMALLINT) AS s FROM b_customers GROUP BY segment",
    "SELECT segment, SUM(amount) AS s FROM b_customers GROUP BY segment HAVING CAST(SUM(amount) AS SMALLINT) > 0",
    "SELECT segment, CAST(AVG(amount) AS SMALLINT) AS a FROM b_customers GROUP BY segment HAVING CAST(SUM(amount) AS SMALLINT) > 0",
  ),
  ...refused("errors", "SELECT region FROM b_vict WHERE error(email) IS NULL", "SELECT region FROM b_vict WHERE printf('%d', email) IS NULL", "SELECT region FROM b_vict WHERE format('{}', email) = ''"),

  // 4. Disallowed output columns through DuckDB's own syntax.
  ...refused(
    "custom-output",
    "SELECT #3 FROM b_vict",
    "SELECT region FROM b_vict ORDER BY #3",
    "SELECT * REPLACE (email AS region) FROM b_vict",
    "SELECT * EXCLUDE (email) REPLACE (upper(email) AS region) FROM b_vict",
    "SELECT * RENAME (email AS contact) FROM b_vict",
    "SELECT * EXCLUDE (region) FROM b_vict",
    "SELECT * EXCLUDE (v.region) FROM b_vict v",
    "SELECT COLUMNS('e.*') FROM b_vict",
    "SELECT COLUMNS(*) FROM b_vict",
    "SELECT concat_ws(',', COLUMNS(*)) FROM b_vict",
    "SELECT max(COLUMNS('mail')) FROM b_vict",
    "SELECT concat_ws(',', *) FROM b_vict",
    "SELECT region FROM b_vict UNION BY NAME SELECT email AS region FROM b_vict",
    "SELECT region FROM b_vict UNION ALL BY NAME SELECT email AS region FROM b_vict",
    "WITH x AS (SELECT email AS e FROM b_vict) SELECT e FROM x UNION ALL SELECT region FROM b_vict",
    "WITH x AS (SELECT email AS e FROM b_vict) (SELECT region FROM b_vict) UNION ALL (SELECT e FROM x)",
    "SELECT b_vict FROM b_vict",
    "SELECT v FROM b_vict v",
    "SELECT struct_pack(*) FROM b_vict",
    "SELECT {'e': email} FROM b_vict",
    "SELECT [email] FROM b_vict",
    "SELECT list_transform([email], x -> x) FROM b_vict",
    "SELECT [x FOR x IN [email]] FROM b_vict",
    "SELECT string_agg(email, ',') FROM b_vict",
    "SELECT max(email) FROM b_vict",
    "SELECT first_value(email) OVER () FROM b_vict",
    "SELECT (SELECT email FROM b_vict LIMIT 1) AS e",
    "SELECT l.e FROM b_vict v, LATERAL (SELECT v.email AS e) l",
    "SELECT t.c FROM b_vict v, (VALUES (v.email)) t(c)",
    "SELECT x FROM (SELECT email AS x FROM b_vict) AS s",
    "SELECT a3 FROM b_vict AS t(a1, a2, a3, a4)",
    "SELECT upper(e) FROM (SELECT email AS e FROM b_vict)",
    "SELECT CASE WHEN email LIKE 'c%' THEN 1 ELSE 0 END AS flag FROM b_vict",
    "SELECT md5(email) FROM b_vict",
    "SELECT reverse(email) FROM b_vict",
    "SELECT region, email IS NULL FROM b_vict",
    "SELECT * FROM b_vict POSITIONAL JOIN a_custom",
    "SELECT * FROM b_vict v JOIN a_custom a USING (customer_id)",
    "WITH RECURSIVE r AS (SELECT email FROM b_vict UNION SELECT email FROM r) SELECT * FROM r",
    "SELECT * FROM b_vict PIVOT (count(*) FOR email IN ('a'))",
    "SELECT * FROM (UNPIVOT b_vict ON email, region INTO NAME k VALUE v)",
    "SELECT arg_max(email, score) FROM b_vict",
    "SELECT * FROM b_vict AT (VERSION => 1)",
    "SELECT sum(score) EXPORT_STATE FROM b_vict",
    "SELECT ARRAY(SELECT email FROM b_vict)",
    "SELECT region FROM b_vict ORDER BY ALL",
    "SELECT email FROM b_vict INTERSECT SELECT tag FROM a_custom",
    "SELECT tag FROM a_custom EXCEPT SELECT email FROM b_vict",
  ),
  // DuckDB reads a star inside most functions as no argument at all; ambiguity fails in binding.
  ...noLeak("custom-output", "SELECT list_value(*) FROM b_vict", "SELECT region FROM b_vict v, (SELECT * FROM b_vict) s", "SELECT hash(*) FROM b_vict"),
  ...runs(
    "custom-output",
    "SELECT * EXCLUDE (email) FROM b_vict",
    "SELECT region FROM b_vict ORDER BY email",
    "SELECT email FROM (SELECT region AS email FROM b_vict)",
    "SELECT region FROM b_vict NATURAL JOIN a_custom",
    "SELECT * EXCLUDE (email) FROM b_vict v JOIN a_custom a USING (customer_id)",
    "SELECT region, count(*) AS n FROM b_vict GROUP BY ALL",
    "SELECT region FROM b_vict QUALIFY row_number() OVER (PARTITION BY email) = 1",
    "SELECT DISTINCT ON (email) region FROM b_vict",
    "SELECT region FROM b_vict WHERE email IN (SELECT email FROM b_vict)",
    "SELECT region FROM b_vict TABLESAMPLE 50%",
    "WITH x AS (SELECT region FROM b_vict) (SELECT region FROM x) UNION (SELECT tag FROM a_custom)",
    "SELECT (SELECT a.tag FROM a_custom a WHERE a.customer_id = v.customer_id) AS t FROM b_vict v",
    "SELECT substring(region, 1, 2) AS r, trim(region) AS t FROM b_vict",
  ),

  // 5. Integers beyond 2^53: exact, never a 500.
  ...runs(
    "big-integers",
    "SELECT 170141183460469231731687303715884105727 AS big FROM b_vict LIMIT 1",
    "SELECT 18446744073709551615 AS u FROM b_vict LIMIT 1",
    "SELECT -170141183460469231731687303715884105728 AS m FROM b_vict LIMIT 1",
    "SELECT 9007199254740993 AS odd FROM b_vict LIMIT 1",
    "SELECT region FROM b_vict WHERE customer_id <> 9007199254740993 LIMIT 1",
    "SELECT 123456789012345678901234567890123456789012 AS huge FROM b_vict LIMIT 1",
    "SELECT 0.1234567890123456789012345678901234567 AS d FROM b_vict LIMIT 1",
  ),
  ...refused("big-integers", "SELECT 1e400 AS inf FROM b_vict LIMIT 1"),
  ...noLeak("big-integers", "SELECT 170141183460469231731687303715884105727 + 1 AS o FROM b_vict LIMIT 1", "SELECT 99999999999999999999999999999999999999999::HUGEINT AS h FROM b_vict"),

  // 6. Files outside the tables.
  ...refused(
    "file-access",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_csv_auto('/etc/hosts')",
    "SELECT * FROM read_parquet('/tmp/x.parquet')",
    "SELECT * FROM read_text('/etc/hostname')",
    "SELECT * FROM read_blob('/etc/hostname')",
    "SELECT * FROM read_json('/etc/passwd')",
    "SELECT * FROM glob('/*')",
    "SELECT * FROM '/etc/passwd'",
    "SELECT * FROM 's3://org-b-data/people/part-0.csv'",
    "SELECT * FROM parquet_metadata('/tmp/x.parquet')",
    "SELECT * FROM sniff_csv('/etc/passwd')",
    "COPY b_vict TO '/tmp/out.csv'",
    "ATTACH '/tmp/x.db' AS x",
    "EXPORT DATABASE '/tmp/dump'",
    "INSTALL httpfs",
    "LOAD httpfs",
  ),
  // 7. Settings and the engine's own state.
  ...refused(
    "settings",
    "SET enable_external_access = true",
    "SET GLOBAL threads = 64",
    "RESET ALL",
    "PRAGMA enable_profiling",
    "SELECT current_setting('memory_limit') FROM a_custom",
    "SELECT * FROM duckdb_settings()",
    "CALL pragma_version()",
    "SELECT getvariable('x') FROM a_custom",
    "SET VARIABLE x = 1",
    "SELECT getenv('HOME') FROM a_custom",
  ),
  // 8. Catalog tables.
  ...refused(
    "catalog",
    "SELECT * FROM information_schema.columns",
    "SELECT * FROM information_schema.tables",
    "SELECT * FROM duckdb_tables()",
    "SELECT * FROM duckdb_columns()",
    "SELECT * FROM duckdb_views()",
    "SELECT * FROM duckdb_databases()",
    "SELECT * FROM pg_catalog.pg_class",
    "SELECT * FROM sqlite_master",
    "SHOW TABLES",
    "DESCRIBE b_vict",
    "SUMMARIZE b_vict",
    "SELECT * FROM (DESCRIBE b_vict)",
  ),
  // 9. Resource exhaustion: refused, or stopped by the sandbox's limits.
  ...refused(
    "exhaustion",
    `SELECT region FROM b_vict WHERE ${"NOT ".repeat(3000)}region = 'x'`,
    "SELECT repeat(region, 1000000000) FROM b_vict",
    "SELECT count(*) FROM a_custom, range(1000000000000)",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
    "SELECT count(*) FROM generate_series(1, 1000000000000)",
  ),
  ...noLeak("exhaustion", "SELECT count(*) AS n FROM a_custom a, a_custom b, a_custom c, a_custom d, a_custom e, a_custom f, a_custom g"),

  // 10. The list rule: only list columns, only joined to the querier's rows.
  ...refused(
    "list",
    "SELECT DISTINCT city FROM b_contacts",
    "SELECT DISTINCT c.phone FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id",
    "SELECT DISTINCT c.city FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id WHERE c.phone LIKE 'c%'",
    "SELECT DISTINCT c.customer_id FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id",
    "SELECT c.city FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id",
    "SELECT DISTINCT upper(c.city) FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id",
    "SELECT DISTINCT c.city FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id ORDER BY c.city",
    "SELECT DISTINCT c.city FROM b_contacts c LEFT JOIN a_list l ON c.customer_id = l.customer_id",
    "SELECT DISTINCT c.city FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id LIMIT (SELECT count(*) FROM b_contacts WHERE phone LIKE '%1%')",
    "SELECT DISTINCT c.city FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id LIMIT 50%",
    "SELECT DISTINCT c.phone AS city FROM b_contacts c(customer_id, phone, city) JOIN a_list l ON c.customer_id = l.customer_id",
  ),
  ...runs("list", "SELECT DISTINCT c.city, l.label FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id", "SELECT DISTINCT c.city FROM b_contacts c JOIN a_list l ON c.customer_id = l.customer_id WHERE c.city LIKE 'O%' LIMIT 2"),
];
