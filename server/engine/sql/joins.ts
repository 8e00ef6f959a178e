import { duckdbType, type CatalogTable } from "./catalog";
import { locate, refuse } from "./refusal";
import { resolveColumn, type ScopedTable } from "./scope";
import type { Node } from "./tree";

/**
 * Join conditions may only compare join columns of two tables with `=`, combined with the
 * operators every joined table allows (AND unless a rule also allows OR). Returns the edges.
 */
export function checkJoinConditions(conditions: Node[], tables: ScopedTable[], joinColumnsOf: (table: ScopedTable) => string[], operators: Set<string>, ruleName: string): [string, string][] {
  const edges: [string, string][] = [];
  const leaf = (node: Node): void => locate(node, () => leafOf(node));
  const leafOf = (node: Node) => {
    if (node.class === "CONJUNCTION") {
      const operator = node.type === "CONJUNCTION_OR" ? "OR" : "AND";
      if (!operators.has(operator)) refuse(`Join conditions may be combined only with ${[...operators].join(" or ")} under the ${ruleName} rules of these tables; ${operator} is not allowed.`);
      for (const child of node.children as Node[]) leaf(child);
      return;
    }
    if (node.class !== "COMPARISON" || node.type !== "COMPARE_EQUAL") {
      refuse(`Join conditions may only compare join columns with "="; ${String(node.type).toLowerCase().replace(/_/g, " ")} is not allowed by the ${ruleName} rule.`);
    }
    const sides = [node.left, node.right] as Node[];
    if (sides.some((s) => s.class !== "COLUMN_REF")) refuse(`Join conditions may only compare columns directly, without functions or constants, under the ${ruleName} rule.`);
    const [left, right] = sides.map((node) =>
      locate(node, () => {
        const side = resolveColumn(node, tables);
        if (!side) refuse(`A join condition names a column that is not an allowed column of any table in the query.`);
        if (!joinColumnsOf(side!.scoped).includes(side!.column)) {
          refuse(
            `Column "${side!.column}" of "${side!.scoped.table.name}" is not a join column; the ${ruleName} rule allows joins only on ${
              joinColumnsOf(side!.scoped)
                .map((c) => `"${c}"`)
                .join(", ") || "no columns"
            }.`,
          );
        }
        return side!;
      }),
    );
    if (left!.scoped.key === right!.scoped.key) refuse(`A join condition must compare columns of two different tables.`);
    // Across types DuckDB would cast one side, so many spellings on one side ('7', '07', ' 7')
    // could match one value on the other: joins compare values as stored, or not at all.
    const [leftType, rightType] = [left!, right!].map((side) => typeOfColumn(side.scoped.table, side.column));
    if (leftType !== rightType) {
      refuse(
        `Join columns must have the same type: "${left!.scoped.table.name}"."${left!.column}" is ${leftType} and "${right!.scoped.table.name}"."${right!.column}" is ${rightType} (${ruleName} rule).`,
      );
    }
    edges.push([left!.scoped.key, right!.scoped.key]);
  };
  for (const condition of conditions) leaf(condition);
  return edges;
}

export function allowedOperators(lists: (("AND" | "OR")[] | undefined)[]): Set<string> {
  const sets = lists.map((l) => new Set(l?.length ? l : ["AND"]));
  return new Set(["AND", "OR"].filter((op) => sets.every((s) => s.has(op as "AND"))));
}

function typeOfColumn(table: CatalogTable, column: string): string {
  return duckdbType(table.columns.find((c) => c.name.toLowerCase() === column)?.type ?? "string");
}
