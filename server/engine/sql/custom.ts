import type { CatalogTable, CustomPolicy, QueryCatalog, QuerySource } from "./catalog";
import { columnKey, outputLineage } from "./lineage";
import { locate, refuse } from "./refusal";
import { expressions, type Node } from "./tree";

// The custom rule: any query from an allowed analysis provider (ANY_QUERY), or an allowed
// analysis template. Columns listed in disallowedOutputColumns never reach the output, however
// aliased or wrapped: each output column's lineage is traced (lineage.ts) through CTEs,
// subqueries, stars and set operations, and anything the tracing cannot place is treated as
// derived from every column of every table the query reads (fail closed).

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
    if (expr.class !== "FUNCTION" && expr.class !== "WINDOW") continue;
    locate(expr, () => {
      if (!allowedFunctions.has(String(expr.function_name).toLowerCase())) refuse(`Function ${String(expr.function_name).toUpperCase()} is not allowed in custom queries.`);
      // DuckDB itself names some SQL-standard functions (SUBSTRING, TRIM, …) in schema "main".
      if (!["", "main"].includes(String(expr.schema ?? "")) || (expr.catalog as string)) refuse("Schema-qualified functions are not allowed.");
    });
  }
  checkOutputColumns(root, tables);
}

function checkOutputColumns(root: Node, tables: CatalogTable[]): void {
  const forbidden = new Map<string, [string, string]>();
  for (const table of tables) for (const column of policyOf(table).disallowedOutputColumns ?? []) forbidden.set(columnKey(table.name, column), [table.name, column]);
  if (!forbidden.size) return;
  for (const column of outputLineage(root, tables)) {
    for (const item of column.lineage) {
      const hit = forbidden.get(item);
      const name = column.name.startsWith("\u0000") ? "" : ` (output column "${column.name}")`;
      if (hit) refuse(`Column "${hit[1]}" of "${hit[0]}" is a disallowed output column (custom rule): it cannot appear in the output, even aliased, inside an expression or through *${name}.`);
    }
  }
}
