import { DuckDBInstance, DuckDBTypeId, type DuckDBConnection } from "@duckdb/node-api";
import { protectsWithDifferentialPrivacy } from "@/lib/analysis-rules";
import { CONTRIBUTION_MEASUREMENTS, needsRange, SELECTION_MEASUREMENTS, statisticsOf, type AggregationType } from "@/server/engine/privacy/accounting";
import { duckdbType, type CatalogTable, type CustomPolicy, type QueryCatalog } from "./catalog";
import { deparseSql } from "./parse";
import { locate, refuse } from "./refusal";
import { checkTime, CostlyRefusal, MAX_PRIVATE_AGGREGATIONS } from "./limits";
import { flattenSubqueries } from "./flatten";
import { flatFrom, resolveColumn, type ScopedTable } from "./scope";
import { columnNames, expressions, isNode, quoteIdent, tableRefs, type Node } from "./tree";

// Queries on tables whose custom rule names a user identifier (differentialPrivacy.columns).
// The shape allowed is the one whose privacy the engine can account for exactly:
//
//   [WITH <user-level queries>] SELECT <group keys>, <COUNT | COUNT(DISTINCT) | SUM | AVG | STDDEV of row expressions>
//   FROM <tables and user-level subqueries joined with INNER JOIN … ON> [WHERE <row condition>]
//   [GROUP BY <keys>] [ORDER BY <output columns>] [LIMIT n]
//
// The plan splits it in two: the member's FROM and WHERE produce user-level rows (the user
// identifier, each group key, each aggregated expression), and the engine, not the member's
// SQL, bounds each user's contribution, aggregates, adds noise and selects groups
// (server/engine/privacy/mechanism.ts). ORDER BY and LIMIT apply to the noisy result.

export type ArgumentKind = "integer" | "real" | "other";
export type PrivacyOutput = { name: string; group: number } | { name: string; aggregation: number };

export interface PlannedAggregation {
  type: AggregationType;
  /** Index of the aggregated expression among the plan's arguments; null for COUNT(*). */
  argument: number | null;
  /** The aggregation as written, for sensitivityParameters. */
  expression: string;
}

export interface PrivacyPlan {
  /** SELECT "__uid", "__g0"…, "__a0"… FROM … WHERE …: the member's rows, one per joined row. */
  rowsSql: string;
  groupCount: number;
  /** Each aggregated expression's kind of value, as DuckDB binds it: integer, real, or neither. */
  argumentKinds: ArgumentKind[];
  aggregations: PlannedAggregation[];
  outputs: PrivacyOutput[];
  /** ORDER BY output positions (0-based). */
  order: { output: number; descending: boolean; nulls: "FIRST" | "LAST" | null }[];
  limit: number | null;
  /** The member whose tables differential privacy protects: its budget pays for the query. */
  protectedOwnerAccountId: string;
  /** The user identifier, as "table.column", for messages. */
  userIdentifier: string;
  /** Noisy measurements the query takes (docs/privacy.md): its cost is this over usersNoisePerQuery. */
  measurements: number;
}

const policyOf = (table: CatalogTable) => table.rule!.policy as CustomPolicy;
export const isPrivacyProtected = (table: CatalogTable) => protectsWithDifferentialPrivacy(table.rule);

const allowed = "COUNT, COUNT(DISTINCT …), SUM, AVG and STDDEV";
const aggregateFunctions: Record<string, AggregationType> = { count: "COUNT", count_star: "COUNT", sum: "SUM", avg: "AVG", mean: "AVG", stddev: "STDDEV", stddev_samp: "STDDEV" };
const otherAggregates = new Set(
  "min max median stddev_pop variance var_pop var_samp mode quantile quantile_cont quantile_disc approx_count_distinct string_agg list array_agg first last any_value arg_min arg_max bool_and bool_or bit_and bit_or corr covar_pop covar_samp product histogram entropy kurtosis skewness".split(
    " ",
  ),
);

// Scalar functions a row expression may use. Each row expression runs inside TRY, so a cast or an
// overflow that fails on one user's value yields NULL instead of failing the query: a failure
// would tell whether that value exists, outside the noise. Functions that fail in ways TRY does
// not catch (regular expressions, formats) or that are volatile are not offered.
const rowFunctions = new Set(
  `+ - * / // % = <> != < > <= >= ~~ !~~ ~~* !~~* || abs ceil ceiling floor round trunc sign sqrt ln log log2 log10 exp power pow greatest least
   lower upper lcase ucase trim ltrim rtrim length char_length substring substr left right concat replace starts_with ends_with contains prefix suffix
   coalesce ifnull nullif date_part extract date_trunc year month day quarter dayofweek week hour minute`.split(/\s+/),
);

/** Parse-tree equality, ignoring where in the text each node was and how it is aliased. */
const shapeOf = (node: Node) => JSON.stringify(node, (key, value) => (key === "query_location" || key === "alias" ? undefined : value));

function checkRowExpression(expr: Node, clause: string): void {
  for (const inner of expressions(expr)) {
    locate(inner, () => {
      if (inner.class === "SUBQUERY") refuse(`Subqueries are not allowed in ${clause} of a query on differentially private tables.`);
      if (inner.class === "WINDOW") refuse(`Window functions are not allowed in a query on differentially private tables.`);
      if (inner.class === "FUNCTION") {
        const name = String(inner.function_name).toLowerCase();
        if (aggregateFunctions[name] || otherAggregates.has(name)) refuse(`Aggregates cannot appear in ${clause}, nor inside another aggregate, in a query on differentially private tables.`);
        if (!rowFunctions.has(name)) refuse(`Function ${name.toUpperCase()} is not allowed in queries on differentially private tables.`);
      }
    });
  }
}

/** The expression inside TRY(…): NULL where it would fail on a row. */
function guarded(expr: Node): Node {
  const copy = structuredClone(expr);
  return {
    class: "FUNCTION",
    type: "FUNCTION",
    alias: "",
    function_name: "try",
    schema: "",
    children: [{ ...copy, alias: "" }],
    filter: null,
    order_bys: { type: "ORDER_MODIFIER", orders: [] },
    distinct: false,
    is_operator: false,
    export_state: false,
    catalog: "",
  };
}

const conjuncts = (expr: Node): Node[] => (expr.class === "CONJUNCTION" && expr.type === "CONJUNCTION_AND" ? (expr.children as Node[]).flatMap(conjuncts) : [expr]);

/**
 * A condition with each AND-ed part inside TRY, except equalities of two columns of one type,
 * which cannot fail and which DuckDB must see bare to plan a hash join.
 */
function guardedCondition(condition: Node, tables: ScopedTable[]): Node {
  const typeOf = (side: unknown) => {
    if (!isNode(side) || side.class !== "COLUMN_REF") return null;
    const resolved = resolveColumn(side, tables);
    const column = resolved?.scoped.table.columns.find((c) => c.name.toLowerCase() === resolved.column);
    return column ? duckdbType(column.type) : null;
  };
  const parts = conjuncts(condition).map((part) => {
    const type = part.type === "COMPARE_EQUAL" ? typeOf(part.left) : null;
    return type && type === typeOf(part.right) ? part : guarded(part);
  });
  return parts.length === 1 ? parts[0]! : { class: "CONJUNCTION", type: "CONJUNCTION_AND", alias: "", children: parts };
}

async function expressionText(expr: Node): Promise<string> {
  const tree = {
    error: false,
    statements: [
      {
        node: {
          type: "SELECT_NODE",
          modifiers: [],
          cte_map: { map: [] },
          select_list: [{ ...expr, alias: "" }],
          from_table: { type: "EMPTY", alias: "", sample: null },
          where_clause: null,
          group_expressions: [],
          group_sets: [],
          aggregate_handling: "STANDARD_HANDLING",
          having: null,
          sample: null,
          qualify: null,
        },
      },
    ],
  };
  return (await deparseSql(tree)).replace(/^SELECT\s+/i, "");
}

export async function planDifferentialPrivacy(original: Node, tables: CatalogTable[], catalog: QueryCatalog): Promise<PrivacyPlan> {
  const protectedTables = tables.filter(isPrivacyProtected);
  const owners = [...new Set(protectedTables.map((t) => t.ownerAccountId))];
  if (owners.length > 1) refuse(`Tables of two members that both use differential privacy cannot be queried together: ${protectedTables.map((t) => `"${t.name}"`).join(", ")}.`);
  if (owners[0] === catalog.runnerAccountId) refuse("Differential privacy protects a member's data from the others: you cannot query your own differentially private tables in this collaboration.");
  if (original.type !== "SELECT_NODE") refuse("UNION, INTERSECT and EXCEPT are not allowed in queries on differentially private tables.");
  // WITH queries and FROM subqueries return user-level rows: merged, they leave one flat SELECT.
  const root = flattenSubqueries(original, catalog);
  if (root.qualify || root.sample) refuse("QUALIFY and TABLESAMPLE are not allowed in queries on differentially private tables.");
  if (isNode(root.having)) refuse("HAVING is not allowed in queries on differentially private tables: which groups appear is decided by the engine, privately.");
  if ((root.group_sets as unknown[]).length > 1) refuse("GROUPING SETS, ROLLUP and CUBE are not allowed in queries on differentially private tables; run one query per grouping.");
  if (root.aggregate_handling !== "STANDARD_HANDLING") refuse("GROUP BY ALL is not allowed in queries on differentially private tables; name the group keys.");

  const from = flatFrom(root.from_table, catalog, "differential privacy");
  const scopedProtected = from.tables.filter((s) => isPrivacyProtected(s.table));
  const userColumn = (s: ScopedTable) => policyOf(s.table).differentialPrivacy!.columns[0]!.name.toLowerCase();
  checkUserJoins(from.conditions, from.tables, scopedProtected, userColumn);
  if (isNode(root.where_clause)) checkRowExpression(root.where_clause, "WHERE");

  const select = root.select_list as Node[];
  // GROUP BY 2 and GROUP BY alias name a select item; the keys are expressions over rows.
  const groups = (root.group_expressions as Node[]).map((expr) =>
    locate(expr, () => {
      let key = expr;
      if (expr.class === "CONSTANT") {
        const position = Number((expr.value as { value?: unknown }).value);
        if (!Number.isInteger(position) || position < 1 || position > select.length) refuse("GROUP BY positions must name an output column.");
        key = select[position - 1]!;
      } else if (expr.class === "COLUMN_REF" && columnNames(expr).length === 1 && !resolveColumn(expr, from.tables)) {
        const aliased = select.find((s) => String(s.alias).toLowerCase() === columnNames(expr)[0]!.toLowerCase());
        if (!aliased) refuse(`Column "${columnNames(expr)[0]}" is not an allowed column of any table in the query.`);
        key = aliased!;
      }
      checkRowExpression(key, "GROUP BY");
      return key;
    }),
  );

  // Each expression's shape is computed once and looked up by it: comparing each aggregate with
  // every earlier one made planning quadratic in the query's size (2,000 SUMs took 17 s).
  const groupOfShape = new Map<string, number>();
  groups.forEach((g, i) => {
    const shape = shapeOf(g);
    if (!groupOfShape.has(shape)) groupOfShape.set(shape, i);
  });
  const args: Node[] = [];
  const argumentOfShape = new Map<string, number>();
  const argumentOf = (expr: Node) => {
    const shape = shapeOf(expr);
    const known = argumentOfShape.get(shape);
    if (known !== undefined) return known;
    args.push(expr);
    argumentOfShape.set(shape, args.length - 1);
    return args.length - 1;
  };
  const aggregations: PlannedAggregation[] = [];
  const outputs: PrivacyOutput[] = [];
  if (select.length > MAX_PRIVATE_AGGREGATIONS + groups.length) {
    throw new CostlyRefusal(`A query on differentially private tables may output at most ${MAX_PRIVATE_AGGREGATIONS} aggregations; this one has ${select.length} output columns.`);
  }
  for (const item of select) {
    checkTime();
    await locate(item, async () => {
      // As DuckDB names output columns: the alias, a column's own name, else the expression's text.
      const name = String(item.alias || "") || (item.class === "COLUMN_REF" ? columnNames(item).at(-1)! : await expressionText(item));
      const group = groupOfShape.get(shapeOf(item));
      if (group !== undefined) return void outputs.push({ name, group });
      if (item.class === "STAR" || item.class === "COLUMNS") refuse("* is not allowed in queries on differentially private tables: name the group keys and aggregations.");
      const fn = String(item.function_name ?? "").toLowerCase();
      const type = item.class === "FUNCTION" ? aggregateFunctions[fn] : undefined;
      if (!type) {
        if (item.class === "FUNCTION" && otherAggregates.has(fn)) refuse(`${fn.toUpperCase()} is not allowed on differentially private tables; the aggregations allowed are ${allowed}.`);
        refuse(`Each output column of a query on differentially private tables is a GROUP BY key or one of ${allowed} (with nothing around it).`);
      }
      if (isNode(item.filter) || (item.order_bys as { orders: unknown[] }).orders.length) refuse("FILTER and ORDER BY inside aggregates are not allowed on differentially private tables.");
      const children = item.children as Node[];
      if (fn !== "count_star" && children.length !== 1) refuse(`${fn.toUpperCase()} takes one argument here.`);
      if (item.distinct && type !== "COUNT") refuse(`${type}(DISTINCT …) is not allowed on differentially private tables; only COUNT(DISTINCT …).`);
      for (const child of children) checkRowExpression(child, "an aggregate");
      const aggregation: PlannedAggregation = {
        type: item.distinct ? "COUNT_DISTINCT" : type!,
        argument: children.length ? argumentOf(children[0]!) : null,
        expression: await expressionText(item),
      };
      outputs.push({ name, aggregation: aggregations.length });
      aggregations.push(aggregation);
    });
  }
  if (!aggregations.length) refuse(`A query on differentially private tables must aggregate: use ${allowed}.`);

  const { order, limit } = modifiersOf(root, select, outputs);
  const ranged = new Set(aggregations.filter((a) => needsRange(a.type)).map((a) => a.argument));
  const measurements = CONTRIBUTION_MEASUREMENTS + (groups.length ? SELECTION_MEASUREMENTS : 0) + ranged.size + aggregations.reduce((sum, a) => sum + statisticsOf[a.type], 0);

  for (const expr of [...from.conditions, ...(isNode(root.where_clause) ? [root.where_clause] : []), ...groups, ...args]) checkColumns(expr, from.tables);
  const user = scopedProtected[0]!;
  const rows = structuredClone(root);
  rows.select_list = [
    { class: "COLUMN_REF", type: "COLUMN_REF", alias: "__uid", column_names: [user.key, userColumn(user)] },
    ...groups.map((g, i) => ({ ...guarded(g), alias: `__g${i}` })),
    ...args.map((a, i) => ({ ...guarded(a), alias: `__a${i}` })),
  ];
  Object.assign(rows, { group_expressions: [], group_sets: [], modifiers: [], having: null });
  if (isNode(rows.where_clause)) rows.where_clause = guardedCondition(rows.where_clause, from.tables);
  for (const ref of tableRefs(rows.from_table)) if (ref.type === "JOIN" && isNode(ref.condition)) ref.condition = guardedCondition(ref.condition, from.tables);
  const rowsSql = await deparseSql({ error: false, statements: [{ node: rows }] });
  const argumentKinds = (await bindRows(rowsSql, from.tables)).slice(1 + groups.length);
  for (const aggregation of aggregations) {
    if (needsRange(aggregation.type) && argumentKinds[aggregation.argument!] === "other") refuse(`${aggregation.type} needs a numeric argument: ${aggregation.expression} is not a number.`);
  }
  return {
    rowsSql,
    groupCount: groups.length,
    argumentKinds,
    aggregations,
    outputs,
    order,
    limit,
    protectedOwnerAccountId: owners[0]!,
    userIdentifier: `${user.table.name}.${userColumn(user)}`,
    measurements,
  };
}

/**
 * Tables protected by differential privacy join each other only by equality of their user
 * identifiers (the reference's rule), so that one user's rows stay one user's rows; tables without
 * it join as their own rules allow, and the contribution bound applies after the join.
 */
function checkUserJoins(conditions: Node[], tables: ScopedTable[], protectedTables: ScopedTable[], userColumn: (s: ScopedTable) => string): void {
  if (protectedTables.length < 2) return;
  const linked = new Map(protectedTables.map((t) => [t.key, new Set([t.key])]));
  const userOf = (side: unknown) => {
    if (!isNode(side) || side.class !== "COLUMN_REF") return null;
    const resolved = resolveColumn(side, tables);
    return resolved && isPrivacyProtected(resolved.scoped.table) && resolved.column === userColumn(resolved.scoped) ? resolved.scoped.key : null;
  };
  for (const condition of conditions.flatMap(conjuncts)) {
    if (condition.type !== "COMPARE_EQUAL") continue;
    const [a, b] = [userOf(condition.left), userOf(condition.right)];
    if (!a || !b || a === b) continue;
    const merged = new Set([...linked.get(a)!, ...linked.get(b)!]);
    for (const key of merged) linked.set(key, merged);
  }
  const first = protectedTables[0]!;
  for (const other of protectedTables.slice(1)) {
    if (!linked.get(first.key)!.has(other.key)) {
      refuse(
        `Differentially private tables "${first.table.name}" and "${other.table.name}" must be joined by equality of their user identifiers (${first.key}.${userColumn(first)} = ${other.key}.${userColumn(other)}).`,
      );
    }
  }
}

/** ORDER BY output columns (by name, position or the same expression) and a constant LIMIT: applied to the noisy result. */
function modifiersOf(root: Node, select: Node[], outputs: PrivacyOutput[]) {
  const order: PrivacyPlan["order"] = [];
  let limit: number | null = null;
  for (const modifier of root.modifiers as Node[]) {
    locate(modifier, () => {
      if (modifier.type === "DISTINCT_MODIFIER") refuse("SELECT DISTINCT is not allowed in queries on differentially private tables; use GROUP BY.");
      if (modifier.type === "LIMIT_PERCENT_MODIFIER") refuse("LIMIT … PERCENT is not allowed in queries on differentially private tables.");
      if (modifier.type === "LIMIT_MODIFIER") {
        if (isNode(modifier.offset)) refuse("OFFSET is not allowed in queries on differentially private tables.");
        const value = isNode(modifier.limit) && modifier.limit.class === "CONSTANT" ? Number((modifier.limit.value as { value?: unknown }).value) : NaN;
        if (!Number.isInteger(value) || value < 0) refuse("LIMIT takes a whole number in queries on differentially private tables.");
        limit = value;
      }
      if (modifier.type === "ORDER_MODIFIER") {
        for (const item of modifier.orders as Node[]) {
          const expr = item.expression as Node;
          let output = -1;
          if (expr.class === "CONSTANT") output = Number((expr.value as { value?: unknown }).value) - 1;
          else if (expr.class === "COLUMN_REF" && columnNames(expr).length === 1) output = outputs.findIndex((o) => o.name.toLowerCase() === columnNames(expr)[0]!.toLowerCase());
          if (output < 0) output = select.findIndex((s) => shapeOf(s) === shapeOf(expr));
          if (output < 0 || output >= outputs.length) refuse("ORDER BY in a query on differentially private tables names output columns (by name, position or the same expression).");
          order.push({ output, descending: item.type === "DESCENDING", nulls: item.null_order === "NULLS_FIRST" ? "FIRST" : item.null_order === "NULLS_LAST" ? "LAST" : null });
        }
      }
    });
  }
  return { order, limit };
}

/** Every column a row expression names is an allowed column of a table in FROM. */
function checkColumns(expr: Node, tables: ScopedTable[]): void {
  for (const inner of expressions(expr)) {
    if (inner.class !== "COLUMN_REF") continue;
    locate(inner, () => {
      if (!resolveColumn(inner, tables)) refuse(`Column "${columnNames(inner).join(".")}" is not an allowed column of any table in the query.`);
    });
  }
}

const holder = globalThis as typeof globalThis & { __privacyBinder?: Promise<DuckDBInstance> };
const integerTypes = new Set([
  DuckDBTypeId.TINYINT,
  DuckDBTypeId.SMALLINT,
  DuckDBTypeId.INTEGER,
  DuckDBTypeId.BIGINT,
  DuckDBTypeId.HUGEINT,
  DuckDBTypeId.UTINYINT,
  DuckDBTypeId.USMALLINT,
  DuckDBTypeId.UINTEGER,
  DuckDBTypeId.UBIGINT,
]);
const realTypes = new Set([DuckDBTypeId.FLOAT, DuckDBTypeId.DOUBLE, DuckDBTypeId.DECIMAL]);

/**
 * Binds the rows query against empty tables of the same columns and types as the sandbox's
 * views, so a query DuckDB would reject (an unknown function, a type mismatch) is refused before
 * any budget is spent or any row read. Empty tables hold no data, so DuckDB's message is safe to show.
 */
async function bindRows(rowsSql: string, tables: ScopedTable[]): Promise<ArgumentKind[]> {
  holder.__privacyBinder ??= DuckDBInstance.create(":memory:", { threads: "1", enable_external_access: "false" });
  const connection: DuckDBConnection = await (await holder.__privacyBinder).connect();
  try {
    // Temporary tables belong to this connection alone, and shadow nothing of another check's.
    for (const { table } of tables) {
      await connection.run(`CREATE OR REPLACE TEMP TABLE ${quoteIdent(table.name)} (${table.columns.map((c) => `${quoteIdent(c.name)} ${duckdbType(c.type)}`).join(", ")})`);
    }
    let prepared;
    try {
      prepared = await connection.prepare(rowsSql);
    } catch (error) {
      refuse(`The query does not bind: ${String((error as Error).message).split("\n")[0]}`);
    }
    const kinds: ArgumentKind[] = [];
    for (let i = 0; i < prepared!.columnCount; i++) {
      const id = prepared!.columnTypeId(i);
      kinds.push(integerTypes.has(id) ? "integer" : realTypes.has(id) ? "real" : "other");
    }
    prepared!.destroySync();
    return kinds;
  } finally {
    connection.closeSync();
  }
}
