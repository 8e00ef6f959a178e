import { isLosslessNumber } from "lossless-json";
import { refuse } from "./refusal";
import { isNode, type Node } from "./tree";

// The parse-tree grammar the engine understands, as an allow list: every node type DuckDB's
// serializer (json_serialize_sql) can produce and every field of each is named here, either with
// how to read it or with the reason it is refused. The rule validators and the lineage tracer
// rely on this walk: a node type or field that is not listed is refused, never skipped, so a new
// DuckDB feature cannot slip past them.

type Field =
  | { kind: "expr" | "expr?" | "exprs" | "exprRows" | "query" | "statement" | "ref" | "modifiers" | "ctes" | "orders" | "orderModifier" | "texts" | "opaque" | "scalar" }
  | { kind: "refuseUnless"; ok: (value: unknown) => boolean; what: string };

const f = (kind: Exclude<Field, { kind: "refuseUnless" }>["kind"]): Field => ({ kind });
const only = (ok: (value: unknown) => boolean, what: string): Field => ({ kind: "refuseUnless", ok, what });
const empty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);
const isFalse = (value: unknown) => value === false;

const common = { class: f("scalar"), type: f("scalar"), alias: f("scalar"), query_location: f("scalar") };
const refCommon = { type: f("scalar"), alias: f("scalar"), sample: f("opaque"), query_location: f("scalar") };
const queryCommon = { type: f("scalar"), modifiers: f("modifiers"), cte_map: f("ctes") };

/** Expressions, by `class`. A string is the reason the whole class is refused. */
export const expressionGrammar: Record<string, Record<string, Field> | string> = {
  BETWEEN: { ...common, input: f("expr"), lower: f("expr"), upper: f("expr") },
  CASE: { ...common, case_checks: f("opaque"), else_expr: f("expr?") }, // case_checks is walked below
  CAST: { ...common, child: f("expr"), cast_type: f("opaque"), try_cast: f("scalar") },
  COLLATE: { ...common, child: f("expr"), collation: f("scalar") },
  COLUMN_REF: { ...common, column_names: f("texts") },
  COMPARISON: { ...common, left: f("expr"), right: f("expr") },
  CONJUNCTION: { ...common, children: f("exprs") },
  CONSTANT: { ...common, value: f("opaque") },
  FUNCTION: {
    ...common,
    function_name: f("scalar"),
    schema: f("scalar"),
    catalog: f("scalar"),
    children: f("exprs"),
    filter: f("expr?"),
    order_bys: f("orderModifier"),
    distinct: f("scalar"),
    is_operator: f("scalar"),
    export_state: only(isFalse, "EXPORT_STATE"),
  },
  OPERATOR: { ...common, children: f("exprs") },
  PARAMETER: { ...common, identifier: f("scalar") },
  STAR: {
    ...common,
    relation_name: f("scalar"),
    exclude_list: f("texts"),
    qualified_exclude_list: only(empty, "EXCLUDE with qualified column names"),
    replace_list: only(empty, "* REPLACE"),
    rename_list: only(empty, "* RENAME"),
    columns: only(isFalse, "COLUMNS(...)"),
    expr: only(empty, "COLUMNS(...)"),
  },
  SUBQUERY: { ...common, subquery_type: f("scalar"), subquery: f("statement"), child: f("expr?"), comparison_type: f("scalar") },
  WINDOW: {
    ...common,
    function_name: f("scalar"),
    schema: f("scalar"),
    catalog: f("scalar"),
    children: f("exprs"),
    partitions: f("exprs"),
    orders: f("orders"),
    start: f("scalar"),
    end: f("scalar"),
    start_expr: f("expr?"),
    end_expr: f("expr?"),
    offset_expr: f("expr?"),
    default_expr: f("expr?"),
    ignore_nulls: f("scalar"),
    filter_expr: f("expr?"),
    exclude_clause: f("scalar"),
    distinct: f("scalar"),
    arg_orders: f("orders"),
  },
  POSITIONAL_REFERENCE: "positional column references (#1, #2, …); name the columns",
  LAMBDA: "lambda functions",
  LAMBDA_REF: "lambda functions",
  DEFAULT: "DEFAULT",
};

/** Table references in FROM, by `type`. */
export const refGrammar: Record<string, Record<string, Field> | string> = {
  BASE_TABLE: { ...refCommon, schema_name: f("scalar"), table_name: f("scalar"), column_name_alias: f("texts"), catalog_name: f("scalar"), at_clause: only(empty, "time travel (AT …)") },
  JOIN: {
    ...refCommon,
    left: f("ref"),
    right: f("ref"),
    condition: f("expr?"),
    join_type: f("scalar"),
    ref_type: f("scalar"),
    using_columns: f("texts"),
    delim_flipped: f("scalar"),
    duplicate_eliminated_columns: only(empty, "duplicate-eliminated joins"),
  },
  SUBQUERY: { ...refCommon, subquery: f("statement"), column_name_alias: f("texts") },
  EMPTY: { ...refCommon },
  EXPRESSION_LIST: { ...refCommon, expected_names: f("texts"), expected_types: f("opaque"), values: f("exprRows") },
  TABLE_FUNCTION: "table functions (such as read_csv, glob or range); query the collaboration's tables by name",
  PIVOT: "PIVOT and UNPIVOT",
  SHOW_REF: "DESCRIBE, SHOW and SUMMARIZE",
  COLUMN_DATA: "materialized data references",
  DELIM_GET: "internal join references",
};

/** Query nodes, by `type`. */
export const queryGrammar: Record<string, Record<string, Field> | string> = {
  SELECT_NODE: {
    ...queryCommon,
    select_list: f("exprs"),
    from_table: f("ref"),
    where_clause: f("expr?"),
    group_expressions: f("exprs"),
    group_sets: f("opaque"),
    aggregate_handling: f("scalar"),
    having: f("expr?"),
    sample: f("opaque"),
    qualify: f("expr?"),
  },
  SET_OPERATION_NODE: { ...queryCommon, setop_type: only((v) => ["UNION", "EXCEPT", "INTERSECT"].includes(String(v)), "UNION BY NAME"), left: f("query"), right: f("query"), setop_all: f("scalar") },
  RECURSIVE_CTE_NODE: "recursive WITH queries",
  CTE_NODE: "this form of WITH query",
};

/** Result modifiers, by `type`. */
export const modifierGrammar: Record<string, Record<string, Field>> = {
  ORDER_MODIFIER: { type: f("scalar"), orders: f("orders") },
  LIMIT_MODIFIER: { type: f("scalar"), limit: f("expr?"), offset: f("expr?") },
  LIMIT_PERCENT_MODIFIER: { type: f("scalar"), limit: f("expr?"), offset: f("expr?") },
  DISTINCT_MODIFIER: { type: f("scalar"), distinct_on_targets: f("exprs") },
};

const orderFields = { type: f("scalar"), null_order: f("scalar"), expression: f("expr") };
const statementFields = { node: f("query"), named_param_map: only(empty, "named parameter maps") };
const cteFields = { aliases: f("texts"), query: f("statement"), materialized: f("scalar"), key_targets: only(empty, "USING KEY") };
const caseCheckFields = { when_expr: f("expr"), then_expr: f("expr") };

const notUnderstood = (what: string): never => refuse(`The query uses ${what}, which the clean-room engine does not understand, so it is refused.`);
const notSupported = (what: string): never => refuse(`Not supported in clean-room queries: ${what}.`);

function checkFields(node: Node, fields: Record<string, Field>, kind: string): void {
  for (const [name, value] of Object.entries(node)) {
    const field = fields[name] ?? notUnderstood(`a ${kind} with a "${name}" field`);
    walkField(field, value, `${kind}.${name}`);
  }
}

function grammarOf(table: Record<string, Record<string, Field> | string>, key: unknown, kind: string): Record<string, Field> {
  const entry = table[String(key)];
  if (entry === undefined) notUnderstood(`${kind} ${String(key)}`);
  if (typeof entry === "string") notSupported(entry);
  return entry as Record<string, Field>;
}

function walkField(field: Field, value: unknown, where: string): void {
  const nodeOrNothing = (v: unknown) => v === null || v === undefined || isNode(v);
  switch (field.kind) {
    case "scalar":
      if (value !== null && typeof value === "object" && !isLosslessNumber(value)) notUnderstood(`a structured value in ${where}`);
      return;
    case "opaque":
      return; // constants, types and grouping-set indexes: data, never references to columns
    case "texts":
      if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) notUnderstood(`an unexpected ${where}`);
      return;
    case "expr":
      if (!isNode(value)) notUnderstood(`a missing ${where}`);
      return auditExpression(value as Node);
    case "expr?":
      if (!nodeOrNothing(value)) notUnderstood(`an unexpected ${where}`);
      if (value) auditExpression(value as Node);
      return;
    case "exprs":
      if (!Array.isArray(value)) notUnderstood(`an unexpected ${where}`);
      return (value as unknown[]).forEach((v) => walkField(f("expr"), v, where));
    case "exprRows":
      if (!Array.isArray(value)) notUnderstood(`an unexpected ${where}`);
      return (value as unknown[]).forEach((row) => walkField(f("exprs"), row, where));
    case "query":
      if (!isNode(value)) notUnderstood(`a missing ${where}`);
      return auditQuery(value as Node);
    case "statement":
      if (!isNode(value)) notUnderstood(`a missing ${where}`);
      return checkFields(value as Node, statementFields, "subquery");
    case "ref": {
      if (!isNode(value)) notUnderstood(`a missing ${where}`);
      const ref = value as Node;
      return checkFields(ref, grammarOf(refGrammar, ref.type, "table reference"), `${String(ref.type)} reference`);
    }
    case "modifiers":
      if (!Array.isArray(value)) notUnderstood(`an unexpected ${where}`);
      for (const modifier of value as Node[]) {
        if (!isNode(modifier)) notUnderstood(`an unexpected ${where}`);
        const fields = modifierGrammar[String(modifier.type)] ?? notUnderstood(`the result modifier ${String(modifier.type)}`);
        checkFields(modifier, fields, String(modifier.type));
      }
      return;
    case "orderModifier":
      if (!isNode(value) || value.type !== "ORDER_MODIFIER") notUnderstood(`an unexpected ${where}`);
      return checkFields(value as Node, modifierGrammar.ORDER_MODIFIER!, "ORDER_MODIFIER");
    case "orders":
      if (!Array.isArray(value)) notUnderstood(`an unexpected ${where}`);
      for (const order of value as unknown[]) {
        if (!isNode(order)) notUnderstood(`an unexpected ${where}`);
        checkFields(order as Node, orderFields, "ORDER BY term");
      }
      return;
    case "ctes": {
      const map = isNode(value) ? (value.map as unknown) : undefined;
      if (!Array.isArray(map) || Object.keys(value as Node).length !== 1) notUnderstood(`an unexpected ${where}`);
      for (const entry of map as Node[]) {
        if (!isNode(entry) || typeof entry.key !== "string" || !isNode(entry.value) || Object.keys(entry).length !== 2) notUnderstood(`an unexpected ${where}`);
        checkFields(entry.value as Node, cteFields, "WITH query");
      }
      return;
    }
    case "refuseUnless":
      if (!field.ok(value)) notSupported(field.what);
      return;
  }
}

function auditExpression(expr: Node): void {
  const fields = grammarOf(expressionGrammar, expr.class, "the expression type");
  checkFields(expr, fields, String(expr.class));
  if (expr.class !== "CASE") return;
  if (!Array.isArray(expr.case_checks)) notUnderstood("an unexpected CASE expression");
  for (const check of expr.case_checks as unknown[]) {
    if (!isNode(check)) notUnderstood("an unexpected CASE expression");
    checkFields(check as Node, caseCheckFields, "CASE check");
  }
}

function auditQuery(node: Node): void {
  checkFields(node, grammarOf(queryGrammar, node.type, "the query form"), String(node.type));
}

/** Refuses any node type or field outside the grammar; returns when the whole tree is understood. */
export function auditTree(root: Node): void {
  auditQuery(root);
}
