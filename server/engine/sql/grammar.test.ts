import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generatedQuery } from "../adversarial/query-grammar";
import { auditTree, expressionGrammar, modifierGrammar, queryGrammar, refGrammar } from "./grammar";
import { parseSql, type ParseTree } from "./parse";
import { QueryRefusal } from "./refusal";
import { syntaxCorpus } from "./syntax-corpus";
import type { Node } from "./tree";

// The grammar is an allow list, so the danger is the other way round: a node type or field that
// DuckDB's serializer produces and the grammar does not know would refuse queries with a vague
// message. Every statement of a broad corpus, written and generated, must be either understood
// or refused by name.

const NOT_UNDERSTOOD = "does not understand";

async function auditOf(sql: string): Promise<string | null> {
  let tree: ParseTree;
  try {
    tree = await parseSql(sql);
  } catch {
    return null; // DuckDB's parser refuses it: nothing to audit
  }
  try {
    for (const statement of tree.statements) auditTree(statement.node as Node);
    return "understood";
  } catch (error) {
    if (error instanceof QueryRefusal) return error.message;
    throw error;
  }
}

/** Every node kind and field name in a tree, as `class:X.field`, `type:Y.field`. */
function kindsAndFields(root: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(root)) root.forEach((v) => kindsAndFields(v, out));
  else if (root && typeof root === "object") {
    const node = root as Node;
    const kind = typeof node.class === "string" ? `class:${node.class}` : typeof node.type === "string" ? `type:${node.type}` : null;
    for (const [field, value] of Object.entries(node)) {
      if (kind) out.add(`${kind}.${field}`);
      kindsAndFields(value, out);
    }
  }
  return out;
}

describe("the parse-tree grammar", () => {
  it("understands, or refuses by name, every statement of the syntax corpus", async () => {
    const seen = new Set<string>();
    for (const sql of syntaxCorpus) {
      const outcome = await auditOf(sql);
      expect(outcome, sql).not.toBeNull();
      expect(outcome, sql).not.toContain(NOT_UNDERSTOOD);
      kindsAndFields((await parseSql(sql)).statements, seen);
    }
    // Each node kind the corpus produced is named by the grammar (type infos live inside casts'
    // types, which the grammar reads as data; ORDER BY terms are read by their parent).
    const named = new Set([...Object.keys(refGrammar), ...Object.keys(queryGrammar), ...Object.keys(modifierGrammar), "ASCENDING", "DESCENDING", "ORDER_DEFAULT"]);
    for (const entry of seen) {
      const [tag, value] = entry.split(".")[0]!.split(":") as [string, string];
      if (tag === "class") expect(Object.keys(expressionGrammar), entry).toContain(value);
      else if (!value.endsWith("_TYPE_INFO")) expect(named.has(value), entry).toBe(true);
    }
  });

  it("understands, or refuses by name, every query of the generated corpus", async () => {
    for (const sql of fc.sample(generatedQuery, { numRuns: 600, seed: 20261128 })) {
      expect(await auditOf(sql), sql).not.toContain(NOT_UNDERSTOOD);
    }
  });

  it("refuses node types and fields it does not know, instead of skipping them", async () => {
    const tree = async () => (await parseSql("SELECT region, upper(email) FROM people p WHERE score > 1")).statements[0]!.node as Node;
    const mutations: ((root: Node) => void)[] = [
      (root) => void (root.future_clause = null),
      (root) => void ((root.select_list as Node[])[1]!.class = "FUTURE_EXPRESSION"),
      (root) => void ((root.select_list as Node[])[1]!.lineage_hint = "x"),
      (root) => void ((root.from_table as Node).type = "FUTURE_REF"),
      (root) => void (root.type = "FUTURE_NODE"),
      (root) => void (root.modifiers as Node[]).push({ type: "FUTURE_MODIFIER" }),
      (root) => void ((root.where_clause as Node).right = [1, 2]),
    ];
    for (const mutate of mutations) {
      const root = await tree();
      mutate(root);
      expect(() => auditTree(root), mutate.toString()).toThrow(NOT_UNDERSTOOD);
    }
  });
});
