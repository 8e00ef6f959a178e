import { isLosslessNumber } from "lossless-json";
import { refuse } from "./refusal";
import { CostlyRefusal } from "./limits";

// Helpers over DuckDB's JSON parse tree (json_serialize_sql).

export type Node = Record<string, unknown> & { class?: string; type?: string };

export const isNode = (value: unknown): value is Node => !!value && typeof value === "object" && !Array.isArray(value) && !isLosslessNumber(value);

/** Refuses trees too deep to walk safely; measured without recursion. */
export function checkDepth(root: unknown, limit: number, maxNodes = Infinity): void {
  const stack: [unknown, number][] = [[root, 0]];
  let nodes = 0;
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (depth > limit) refuse(`The query is nested too deeply (more than ${Math.floor(limit / 3)} levels of expressions).`);
    if (isNode(value) && ++nodes > maxNodes) throw new CostlyRefusal(`The query is too large: more than ${maxNodes.toLocaleString("en-US")} parts (columns, constants, operators) once parsed.`);
    if (Array.isArray(value)) for (const item of value) stack.push([item, depth + 1]);
    else if (isNode(value)) for (const item of Object.values(value)) stack.push([item, depth + 1]);
  }
}

/** Every table reference (BASE_TABLE, JOIN, SUBQUERY, TABLE_FUNCTION, …) anywhere in the tree. */
export function tableRefs(root: unknown): Node[] {
  const out: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isNode(value)) return;
    if (
      !value.class &&
      typeof value.type === "string" &&
      ["BASE_TABLE", "JOIN", "SUBQUERY", "TABLE_FUNCTION", "EXPRESSION_LIST", "EMPTY", "PIVOT", "SHOW_REF", "COLUMN_DATA", "DELIM_GET", "CTE"].includes(value.type)
    )
      out.push(value);
    Object.values(value).forEach(visit);
  };
  visit(root);
  return out;
}

/** Every expression node anywhere in the tree. */
export function expressions(root: unknown): Node[] {
  const out: Node[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isNode(value)) return;
    if (typeof value.class === "string") out.push(value);
    Object.values(value).forEach(visit);
  };
  visit(root);
  return out;
}

export function columnNames(node: Node): string[] {
  return (node.column_names as string[]) ?? [];
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
