import { findTable, type CatalogTable, type CustomPolicy, type QueryCatalog, type QuerySource } from "./catalog";
import { refuse } from "./refusal";
import { columnNames, expressions, isNode, type Node } from "./tree";

// The custom rule: any query from an allowed analysis provider (ANY_QUERY), or an allowed
// analysis template. Columns listed in disallowedOutputColumns never reach the output, however
// aliased or wrapped: each output column's lineage is traced through CTEs and subqueries, and
// anything the tracing cannot resolve is treated as derived from every column (fail closed).

const policyOf = (table: CatalogTable) => table.rule!.policy as CustomPolicy;

// Functions a custom query may call: SQL's common scalar, aggregate and window functions. Table
// functions, file access, settings and system catalogs are not among them.
const allowedFunctions = new Set(
  `abs ceil ceiling floor round trunc sqrt cbrt exp ln log log2 log10 power pow sign mod greatest least random_seed
   lower upper lcase ucase length char_length character_length trim ltrim rtrim lpad rpad substring substr left right replace reverse concat concat_ws
   strpos position instr contains starts_with ends_with prefix suffix split_part regexp_matches regexp_replace regexp_extract md5 sha256 hash
   coalesce ifnull nullif if date_part extract date_trunc date_diff datediff date_add date_sub datepart year month day hour minute second week quarter dayofweek dayofyear
   make_date strftime strptime to_timestamp epoch epoch_ms current_date now today last_day age to_char to_date
   count count_star sum avg mean min max median stddev stddev_pop stddev_samp variance var_pop var_samp mode quantile quantile_cont quantile_disc approx_count_distinct
   string_agg list array_agg first last any_value arg_min arg_max bool_and bool_or bit_and bit_or corr covar_pop covar_samp
   row_number rank dense_rank percent_rank cume_dist ntile lag lead first_value last_value nth_value
   + - * / // % ~~ !~~ ~~* !~~* || ^ ** < > = <= >= <> != array_length list_value len`.split(/\s+/),
);

export function validateCustom(root: Node, tables: CatalogTable[], catalog: QueryCatalog, source: QuerySource): void {
  for (const table of tables) {
    const policy = policyOf(table);
    if (policy.differentialPrivacy) refuse(`Table "${table.name}" is protected by differential privacy, which this engine does not run yet; it cannot be queried.`);
    if (source.kind === "template") {
      if (!policy.allowedAnalyses.includes(source.arn) && !(policy.allowedAnalyses.includes("ANY_QUERY") && policy.allowedAnalysisProviders?.includes(catalog.runnerAccountId))) {
        refuse(`Table "${table.name}" does not allow analysis template ${source.arn} (custom rule allowedAnalyses).`);
      }
    } else if (!policy.allowedAnalyses.includes("ANY_QUERY")) {
      refuse(`Table "${table.name}" allows only its approved analysis templates (custom rule); run one with analysisTemplateArn.`);
    } else if (!policy.allowedAnalysisProviders?.includes(catalog.runnerAccountId)) {
      refuse(`Account ${catalog.runnerAccountId} is not an allowed analysis provider of table "${table.name}" (custom rule allowedAnalysisProviders).`);
    }
  }
  for (const expr of expressions(root)) {
    if (expr.class === "FUNCTION" && !allowedFunctions.has(String(expr.function_name).toLowerCase())) {
      refuse(`Function ${String(expr.function_name).toUpperCase()} is not allowed in custom queries.`);
    }
    if (expr.class === "FUNCTION" && ((expr.schema as string) || (expr.catalog as string))) refuse("Schema-qualified functions are not allowed.");
  }
  checkOutputColumns(root, catalog);
}

type Lineage = Set<string>;
interface Relation {
  columns: { name: string; lineage: Lineage }[];
}
interface Scope {
  entries: { key: string; relation: Relation }[];
}

const key = (table: string, column: string) => `${table.toLowerCase()}\u0000${column.toLowerCase()}`;

function checkOutputColumns(root: Node, catalog: QueryCatalog): void {
  const forbidden = new Map<string, [string, string]>();
  const everything: Lineage = new Set();
  for (const table of catalog.tables) {
    for (const column of table.columns) everything.add(key(table.name, column.name));
    if (table.rule?.type === "CUSTOM") for (const column of policyOf(table).disallowedOutputColumns ?? []) forbidden.set(key(table.name, column), [table.name, column]);
  }
  if (!forbidden.size) return;

  const tableRelation = (table: CatalogTable): Relation => ({ columns: table.columns.map((c) => ({ name: c.name.toLowerCase(), lineage: new Set([key(table.name, c.name)]) })) });

  const queryOutput = (node: Node, ctes: Map<string, Relation>): Relation => {
    if (node.type === "SET_OPERATION_NODE") {
      const left = queryOutput(node.left as Node, ctes);
      const right = queryOutput(node.right as Node, ctes);
      return { columns: left.columns.map((c, i) => ({ name: c.name, lineage: new Set([...c.lineage, ...(right.columns[i]?.lineage ?? everything)]) })) };
    }
    if (node.type !== "SELECT_NODE") return { columns: [{ name: "?", lineage: everything }] };
    const local = new Map(ctes);
    for (const entry of ((node.cte_map as { map: { key: string; value: { query: { node: Node } } }[] }).map ?? [])) {
      local.set(entry.key.toLowerCase(), queryOutput(entry.value.query.node, local));
    }
    const scope: Scope = { entries: [] };
    if (node.from_table) addFrom(node.from_table as Node, scope, local);
    const columns: Relation["columns"] = [];
    for (const item of node.select_list as Node[]) {
      if (item.class === "STAR") {
        const relation = item.relation_name ? String(item.relation_name).toLowerCase() : null;
        for (const entry of scope.entries) if (!relation || entry.key === relation) columns.push(...entry.relation.columns);
        if (item.columns || (item.expr as unknown)) columns.push({ name: "*", lineage: everything });
        continue;
      }
      columns.push({ name: String(item.alias || columnNames(item).at(-1) || "?").toLowerCase(), lineage: lineageOf(item, scope, local) });
    }
    return { columns };
  };

  const addFrom = (ref: Node, scope: Scope, ctes: Map<string, Relation>): void => {
    if (ref.type === "BASE_TABLE") {
      const name = String(ref.table_name).toLowerCase();
      const relation = ctes.get(name) ?? (findTable(catalog, name) ? tableRelation(findTable(catalog, name)!) : { columns: [] });
      scope.entries.push({ key: String(ref.alias || ref.table_name).toLowerCase(), relation: renamed(relation, ref) });
    } else if (ref.type === "JOIN") {
      addFrom(ref.left as Node, scope, ctes);
      addFrom(ref.right as Node, scope, ctes);
    } else if (ref.type === "SUBQUERY") {
      const inner = queryOutput((ref.subquery as { node: Node }).node, ctes);
      scope.entries.push({ key: String(ref.alias || "").toLowerCase(), relation: renamed(inner, ref) });
    } else {
      scope.entries.push({ key: String(ref.alias || "").toLowerCase(), relation: { columns: [{ name: "*", lineage: everything }] } });
    }
  };

  const renamed = (relation: Relation, ref: Node): Relation => {
    const aliases = (ref.column_name_alias as string[] | undefined) ?? [];
    return { columns: relation.columns.map((c, i) => ({ name: (aliases[i] ?? c.name).toLowerCase(), lineage: c.lineage })) };
  };

  const lineageOf = (expr: unknown, scope: Scope, ctes: Map<string, Relation>): Lineage => {
    const out: Lineage = new Set();
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (!isNode(value)) return;
      if (value.class === "COLUMN_REF") {
        const names = columnNames(value).map((n) => n.toLowerCase());
        const candidates = names.length === 2 ? scope.entries.filter((e) => e.key === names[0]) : scope.entries;
        const column = names.at(-1)!;
        const found = candidates.flatMap((e) => e.relation.columns.filter((c) => c.name === column || c.name === "*"));
        // A reference we cannot place (outer columns, ambiguity) is treated as everything.
        const lineages = found.length ? found.map((c) => c.lineage) : [everything];
        for (const lineage of lineages) for (const item of lineage) out.add(item);
        return;
      }
      if (value.class === "SUBQUERY") {
        const inner = queryOutput((value.subquery as { node: Node }).node, ctes);
        for (const column of inner.columns) for (const item of column.lineage) out.add(item);
        visit(value.child);
        return;
      }
      Object.values(value).forEach(visit);
    };
    visit(expr);
    return out;
  };

  const output = queryOutput(root, new Map());
  for (const column of output.columns) {
    for (const item of column.lineage) {
      const hit = forbidden.get(item);
      if (hit) refuse(`Column "${hit[1]}" of "${hit[0]}" is a disallowed output column (custom rule): it cannot appear in the output, even aliased or inside an expression (output column "${column.name}").`);
    }
  }
}
