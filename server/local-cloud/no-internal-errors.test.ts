import fc from "fast-check";
import { afterAll, beforeAll, expect, it } from "vitest";
import { analysisTemplateRoutes } from "./services/cleanrooms/analysis-templates";
import { associationRoutes } from "./services/cleanrooms/associations";
import { collaborationRoutes } from "./services/cleanrooms/collaborations";
import { configuredTableRoutes } from "./services/cleanrooms/configured-tables";
import { membershipRoutes } from "./services/cleanrooms/memberships";
import { protectedQueryRoutes } from "./services/cleanrooms/protected-queries/routes";
import { schemaRoutes } from "./services/cleanrooms/schemas";
import { tagRoutes } from "./services/cleanrooms/tags";
import { catalogOperations } from "./services/glue/catalog";
import { crawlerOperations } from "./services/glue/crawlers";
import { signedFetch, startTestCloud, type TestCloud } from "./testing";

// Whatever a signed caller sends to any Clean Rooms route or Glue operation, the answer is a
// response the client can act on, never a 500: hostile labels, query strings and JSON bodies.
let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startTestCloud();
});
afterAll(async () => {
  await cloud.close();
});

/** A label as a client would put it in a path; text that is not Unicode goes as bytes that are not UTF-8. */
const label = (text: string) => {
  try {
    return encodeURIComponent(text) || "x";
  } catch {
    return "%ED%BF%BF";
  }
};

const routes = [...collaborationRoutes, ...membershipRoutes, ...configuredTableRoutes, ...associationRoutes, ...schemaRoutes, ...analysisTemplateRoutes, ...tagRoutes, ...protectedQueryRoutes];
const hostileText = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "..",
    "%2F",
    "a/b",
    "x".repeat(5000),
    "ünïcødé",
    "0".repeat(40),
    "arn:aws:cleanrooms:us-east-1:222222222222:collaboration/x",
    "-1",
    "1e400",
    "null",
    "[]",
    "{}",
    "'; DROP TABLE x; --",
    "\ud800",
    "a\udfffb",
  ),
  fc.string({ maxLength: 40 }),
);
const hostileJson = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.dictionary(
    fc.constantFrom(
      "name",
      "description",
      "queryString",
      "type",
      "sqlParameters",
      "analysisRulePolicy",
      "members",
      "tags",
      "maxResults",
      "nextToken",
      "DatabaseName",
      "Name",
      "TableInput",
      "Expression",
      "CatalogId",
      "MaxResults",
      "NextToken",
      "Targets",
      "DatabaseInput",
    ),
    fc.jsonValue({ maxDepth: 3 }),
  ),
);

it("answers every Clean Rooms route without a 500, whatever the labels and body", async () => {
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...routes), fc.array(hostileText, { minLength: 4, maxLength: 4 }), hostileJson, fc.option(hostileText, { nil: undefined }), async (route, labels, body, token) => {
      let i = 0;
      const path = `/${route.segments.map((s) => (s.startsWith("{") ? label(labels[i++ % labels.length]!) : s)).join("/")}`;
      const response = await signedFetch(cloud, "org-a", {
        service: "cleanrooms",
        method: route.method,
        path,
        query: token === undefined || label(token) === "%ED%BF%BF" ? {} : { nextToken: token, maxResults: token },
        headers: { "content-type": "application/json" },
        body: route.method === "GET" || route.method === "DELETE" ? "" : JSON.stringify(body),
      });
      const text = await response.text();
      expect(response.status, `${route.method} ${path} ${JSON.stringify(body).slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
    }),
    { numRuns: 600 },
  );
}, 300_000);

it("answers every Glue operation without a 500, whatever the body", async () => {
  const operations = Object.keys({ ...catalogOperations, ...crawlerOperations });
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...operations), hostileJson, async (operation, body) => {
      const response = await signedFetch(cloud, "org-a", {
        service: "glue",
        method: "POST",
        path: "/",
        headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `AWSGlue.${operation}` },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      expect(response.status, `${operation} ${JSON.stringify(body).slice(0, 200)} → ${text.slice(0, 200)}`).toBeLessThan(500);
    }),
    { numRuns: 300 },
  );
}, 300_000);
