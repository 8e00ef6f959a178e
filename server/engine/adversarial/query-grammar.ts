import fc from "fast-check";

// Queries generated from a grammar that covers DuckDB's syntax where it can move values: stars
// and their modifiers, COLUMNS, positional references, set operations (BY NAME too), CTEs in
// every position (named like tables too), lateral joins and VALUES, lambdas, list and struct
// builders, casts, window functions, subqueries. Most are refused; whatever is accepted runs.
// The columns are those of canary-world.ts; no generated text contains a canary marker.

const pick = <T>(...values: T[]) => fc.constantFrom(...values);

const columnRef = fc.oneof(
  { weight: 6, arbitrary: pick("p.region", "region", "score", "p.id", "v.channel", "channel", "p.score") },
  { weight: 3, arbitrary: pick("p.email", "email", "v.note", "note") },
  { weight: 1, arbitrary: pick("p", "v", "#1", "#2", "x", "l.e", "c.email", "c.x") },
);
const constant = pick("1", "'x'", "NULL", "170141183460469231731687303715884105727", "18446744073709551615", "9007199254740993", "[1, 2]", "2.5");
const unary = (make: (e: string) => string) => (e: fc.Arbitrary<string>) => e.map(make);

const expression: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => {
  const e = tie("expr");
  const plain = [
    unary((x) => `upper(${x})`),
    unary((x) => `CAST(${x} AS VARCHAR)`),
    unary((x) => `CAST(${x} AS INTEGER)`),
    unary((x) => `substring(CAST(${x} AS VARCHAR), 1, 4)`),
    unary((x) => `max(${x})`),
    unary((x) => `count(DISTINCT ${x})`),
    unary((x) => `string_agg(CAST(${x} AS VARCHAR), ',')`),
    unary((x) => `first_value(${x}) OVER (ORDER BY score)`),
    unary((x) => `(SELECT ${x} FROM people p LIMIT 1)`),
  ].map((make) => ({ weight: 2, arbitrary: make(e) }));
  const exotic = [
    unary((x) => `reverse(CAST(${x} AS VARCHAR))`),
    unary((x) => `md5(CAST(${x} AS VARCHAR))`),
    unary((x) => `TRY_CAST(${x} AS DATE)`),
    unary((x) => `strptime(CAST(${x} AS VARCHAR), '%Y')`),
    unary((x) => `[${x}]`),
    unary((x) => `list_value(${x}, ${x})`),
    unary((x) => `{'k': ${x}}`),
    unary((x) => `struct_pack(k := ${x})`),
    unary((x) => `list_transform([${x}], x -> x || 'y')`),
    unary((x) => `[y FOR y IN [${x}]]`),
    unary((x) => `first(${x})`),
    unary((x) => `array_agg(${x})`),
    unary((x) => `lag(${x}) OVER (PARTITION BY region)`),
  ].map((make) => ({ weight: 1, arbitrary: make(e) }));
  return {
    expr: fc.oneof(
      { maxDepth: 3, depthIdentifier: "expression" },
      { weight: 12, arbitrary: columnRef },
      { weight: 3, arbitrary: constant },
      ...plain,
      ...exotic,
      { weight: 2, arbitrary: fc.tuple(e, e).map(([a, b]) => `concat(${a}, ${b})`) },
      { weight: 1, arbitrary: fc.tuple(e, e).map(([a, b]) => `${a} || ${b}`) },
      { weight: 1, arbitrary: fc.tuple(e, e).map(([a, b]) => `coalesce(${a}, ${b})`) },
      { weight: 1, arbitrary: fc.tuple(e, e, e).map(([a, b, c]) => `CASE WHEN ${a} IS NULL THEN ${b} ELSE ${c} END`) },
      { weight: 1, arbitrary: fc.tuple(e, e).map(([a, b]) => `(${a} = ${b})`) },
      { weight: 1, arbitrary: pick("(SELECT max(email) FROM people)", "(SELECT string_agg(note, '') FROM visits)", "(SELECT p.email)", "EXISTS (SELECT 1 FROM visits v WHERE v.note = p.region)") },
      { weight: 1, arbitrary: pick("COLUMNS('e.*')", "COLUMNS(*)", "concat_ws(',', *)", "list_value(*)", "max(COLUMNS(*))", "struct_pack(*)", "hash(*)") },
    ),
  };
}).expr;

const selectItem = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(expression, fc.option(pick("a", "region", "score", "e", "x"), { nil: undefined })).map(([e, alias]) => (alias ? `${e} AS ${alias}` : e)) },
  {
    weight: 2,
    arbitrary: pick(
      "*",
      "p.*",
      "v.*",
      "* EXCLUDE (email)",
      "* EXCLUDE (region)",
      "* EXCLUDE (email, note)",
      "* REPLACE (upper(email) AS region)",
      "* EXCLUDE (email) REPLACE (upper(email) AS region)",
      "v.* REPLACE (p.email AS channel)",
      "* RENAME (email AS region)",
      "* EXCLUDE (email, note) RENAME (region AS email)",
      "COLUMNS('.*')",
      "COLUMNS(c -> c LIKE '%mail%')",
      "*COLUMNS(*)",
    ),
  },
);

const fromClause = fc.oneof(
  { weight: 2, arbitrary: pick("people p", "people p JOIN visits v ON p.id = v.id") },
  {
    weight: 3,
    arbitrary: pick(
      "people p",
      "people AS p(a1, a2, a3, a4)",
      "PEOPLE p",
      "people p JOIN visits v ON p.id = v.id",
      "people p JOIN visits v USING (id)",
      "people p NATURAL JOIN visits v",
      "people p LEFT JOIN visits v ON p.id = v.id",
      "people p POSITIONAL JOIN visits v",
      "people p ASOF JOIN visits v ON p.id >= v.id",
      "people p, LATERAL (SELECT p.email AS e) l",
      "people p JOIN LATERAL (SELECT p.email AS e) l ON true",
      "(SELECT * FROM people) p",
      "(SELECT email AS region, id, score, region AS email FROM people) p",
      "(VALUES (1)) t(x), people p",
      "people p, (VALUES (p.email)) c(x)",
      "visits v",
      "visits v, people p",
    ),
  },
);

const where = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  {
    weight: 2,
    arbitrary: pick(
      "",
      " WHERE p.email LIKE '%a%'",
      " WHERE CAST(email AS INTEGER) > 0",
      " WHERE strptime(email, '%Y') IS NOT NULL",
      " WHERE region = 'east'",
      " WHERE length(note) > 3",
      " WHERE email IN (SELECT note FROM visits)",
    ),
  },
);
const tail = fc.oneof(
  { weight: 3, arbitrary: fc.constant("") },
  { weight: 2, arbitrary: pick("", " GROUP BY ALL", " ORDER BY 1", " ORDER BY ALL", " LIMIT 3", " LIMIT 1 OFFSET 1", " QUALIFY row_number() OVER () = 1") },
);

const selectQuery = fc
  .tuple(fc.boolean(), fc.array(selectItem, { minLength: 1, maxLength: 2 }), fromClause, where, tail)
  .map(([distinct, items, from, filter, end]) => `SELECT ${distinct ? "DISTINCT " : ""}${items.join(", ")} FROM ${from}${filter}${end}`);

const setOperator = pick("UNION", "UNION ALL", "UNION BY NAME", "UNION ALL BY NAME", "INTERSECT", "EXCEPT");
const cteName = pick("c", "visits", "people", "cte1");

const customQuery: fc.Arbitrary<string> = fc.oneof(
  { weight: 12, arbitrary: selectQuery },
  { weight: 6, arbitrary: fc.tuple(selectQuery, setOperator, selectQuery).map(([a, op, b]) => `(${a}) ${op} (${b})`) },
  {
    weight: 6,
    arbitrary: fc
      .tuple(cteName, selectQuery, fc.array(selectItem, { minLength: 1, maxLength: 2 }))
      .map(([name, inner, items]) => `WITH ${name} AS (${inner}) SELECT ${items.join(", ")} FROM ${name} p`),
  },
  { weight: 3, arbitrary: fc.tuple(cteName, selectQuery, setOperator, selectQuery).map(([name, inner, op, other]) => `WITH ${name} AS (${inner}) SELECT * FROM ${name} ${op} (${other})`) },
  { weight: 3, arbitrary: fc.tuple(selectQuery, selectQuery).map(([a, b]) => `SELECT * FROM (${a}) s1, LATERAL (${b}) s2`) },
  { weight: 1, arbitrary: selectQuery.map((q) => `WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) ${q}`) },
);

// Aggregation queries: joins across types and duplicates, casts that fail on hidden values,
// HAVING and output arithmetic that would fail on small groups.
const dimension = pick("segment", "p.segment", "lower(segment)", "CAST(segment AS VARCHAR)", "substring(segment, 1, 6)", "a.grp", "upper(p.segment)");
const aggregate = fc.oneof(
  {
    weight: 4,
    arbitrary: pick("SUM(amount)", "AVG(p.amount)", "COUNT(DISTINCT p.customer_id)", "ROUND(AVG(amount), 3)", "SUM(amount) * 170141183460469231731687303715884105727", "CAST(SUM(amount) AS INTEGER)"),
  },
  { weight: 1, arbitrary: pick("COUNT(DISTINCT a.customer_id)", "COUNT(customer_id)", "MAX(amount)") },
);
const join = fc.oneof(
  { weight: 4, arbitrary: pick("", " JOIN a_ids a ON p.customer_id = a.customer_id") },
  {
    weight: 1,
    arbitrary: pick(
      " JOIN a_strs a ON p.customer_id = a.customer_id",
      " JOIN a_strs a ON CAST(p.customer_id AS VARCHAR) = a.customer_id",
      " JOIN a_ids a ON p.customer_id = a.customer_id OR p.customer_id = a.customer_id",
    ),
  },
);
const aggregateWhere = pick("", " WHERE CAST(segment AS INTEGER) > 0", " WHERE segment LIKE 'c%'", " WHERE amount > 100", " WHERE segment <> 'gold'", " WHERE CAST(p.segment AS DATE) IS NOT NULL");
const having = pick(
  "",
  " HAVING SUM(amount) > 86000",
  " HAVING AVG(amount) BETWEEN 86421 AND 86424",
  " HAVING CAST(SUM(amount) AS TINYINT) > 0",
  " HAVING SUM(amount) * 170141183460469231731687303715884105727 > 0",
  " HAVING CAST(segment AS INTEGER) = 1",
);

const aggregationQuery = fc
  .tuple(fc.array(dimension, { minLength: 0, maxLength: 2 }), fc.array(aggregate, { minLength: 1, maxLength: 2 }), join, aggregateWhere, having)
  .map(([dims, aggs, on, filter, have]) => `SELECT ${[...dims, ...aggs].join(", ")} FROM purchases p${on}${filter}${dims.length ? ` GROUP BY ${dims.join(", ")}` : ""}${have}`);

export const generatedQuery: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: customQuery }, { weight: 2, arbitrary: aggregationQuery });
