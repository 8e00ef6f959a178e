import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { expect, it } from "vitest";
import { analysisTemplateRoutes } from "./analysis-templates";
import { associationRoutes } from "./associations";
import { collaborationRoutes } from "./collaborations";
import { configuredTableRoutes } from "./configured-tables";
import { membershipRoutes } from "./memberships";
import { protectedQueryRoutes } from "./protected-queries/routes";
import { schemaRoutes } from "./schemas";
import { tagRoutes } from "./tags";

// Each route names its AWS operation, and the name is the one the SDK sends to that method and
// path: a newcomer finds the handler of any operation with one grep of its name.
it("names every route by the SDK's operation for its method and path", () => {
  const sdk = path.dirname(createRequire(import.meta.url).resolve("@aws-sdk/client-cleanrooms"));
  const text = fs.readFileSync(path.join(sdk, "schemas", "schemas_0.js"), "utf8");
  const operations = new Map<string, string>();
  for (const m of text.matchAll(/exports\.([A-Za-z]+)\$ = \[9, n0, [^,]+,\s*\{ \[_h\]: \["([A-Z]+)", "([^"]+)", \d+\] \}/g)) {
    operations.set(
      m[1]!,
      `${m[2]} ${m[3]!
        .split("?")[0]!
        .replace(/\{[^}]+\}/g, "{}")
        .toLowerCase()}`,
    );
  }
  expect(operations.size).toBeGreaterThan(80);
  const routes = [...collaborationRoutes, ...membershipRoutes, ...configuredTableRoutes, ...associationRoutes, ...schemaRoutes, ...analysisTemplateRoutes, ...tagRoutes, ...protectedQueryRoutes];
  for (const route of routes) {
    expect(operations.get(route.operation), route.operation).toBe(`${route.method} /${route.segments.map((s) => (s.startsWith("{") ? "{}" : s.toLowerCase())).join("/")}`);
  }
  expect(new Set(routes.map((r) => r.operation)).size).toBe(routes.length);
});
