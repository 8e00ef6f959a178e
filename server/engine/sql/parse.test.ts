import { expect, it, vi } from "vitest";

// The console's bundles and the local cloud each load the parser module, in one process, and
// share its prepared statements: every copy must take turns at them, or one call's text is bound
// and another's run (a check then reads the tree of someone else's query).
it("gives every caller the tree of its own text when the module is loaded twice in one process", async () => {
  const first = await import("./parse");
  vi.resetModules();
  const second = await import("./parse");
  expect(second).not.toBe(first);
  const texts = Array.from({ length: 60 }, (_, i) => `SELECT ${i} AS column_${i}`);
  const trees = await Promise.all(texts.map((text, i) => (i % 2 ? first : second).parseSql(text)));
  const rendered = await Promise.all(trees.map((tree, i) => (i % 2 ? second : first).deparseSql(tree)));
  rendered.forEach((sql, i) => expect(sql).toBe(texts[i]));
});
