import fs from "node:fs";
import { expect, it } from "vitest";
import { serverNodeFlags } from "./node-flags";

// npm start passes serverNodeFlags itself; the standalone local cloud's script in package.json
// cannot import them, so it names them, and must name the same.
it("runs the standalone local cloud with the servers' V8 flags", () => {
  const scripts = JSON.parse(fs.readFileSync("package.json", "utf8")).scripts as Record<string, string>;
  const [runner, ...rest] = scripts["local-cloud"]!.split(" ");
  expect(runner).toBe("tsx");
  expect(rest.slice(0, serverNodeFlags.length)).toEqual(serverNodeFlags);
  expect(rest.at(-1)).toBe("scripts/local-cloud.ts");
});
