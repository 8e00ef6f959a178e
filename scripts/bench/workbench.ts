import zlib from "node:zlib";
import { CleanRoomsClient, GetProtectedQueryCommand, ListCollaborationsCommand, ListMembershipsCommand, StartProtectedQueryCommand } from "@aws-sdk/client-cleanrooms";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { chromium, type Browser, type Page } from "@playwright/test";
import { localCredentials, startConsole, type RunningConsole } from "../../e2e/console-server";
import { SignInPage } from "../../e2e/pages/sign-in";
import { accepted, catalog } from "../../server/engine/sql/corpus";
import { validateQuery } from "../../server/engine/sql/validate";
import { DEMO_COLLABORATION, DEMO_SUGGESTED_SQL, demoOrganizations } from "../../server/seed/demo-data";

// The workbench's speed, as a user meets it, on a console seeded with the demo at 1M customers
// per organization:
// - each page's JavaScript in Chromium: what the page's HTML loads (first load) and what it
//   loads lazily right after (the editor, the charts), gzipped;
// - pressing Run on the demo's suggested query until the chart is drawn, beside the same query
//   through the SDK alone (StartProtectedQuery, GetProtectedQuery every 25 ms, GetObject of the
//   result), in the same run;
// - the check as you type: the server action's round trip per checked edit.

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

export interface RouteWeight {
  route: string;
  firstLoadKb: number;
  lazyKb: number;
}

async function signedInPage(browser: Browser, running: RunningConsole, email: string): Promise<Page> {
  const page = await browser.newPage({ baseURL: running.baseURL, viewport: { width: 1280, height: 900 } });
  await new SignInPage(page).signIn(email, "cleanrooms-demo");
  return page;
}

/** One page's JavaScript: the scripts its HTML names, and those fetched by the time the network is idle. */
async function weigh(browser: Browser, running: RunningConsole, route: string): Promise<RouteWeight> {
  const page = await signedInPage(browser, running, "admin@org-a.example");
  const scripts = new Map<string, number>();
  page.on("response", (response) => {
    if (response.request().resourceType() !== "script") return;
    void response.body().then(
      (body) => scripts.set(response.url(), zlib.gzipSync(body).length),
      () => undefined,
    );
  });
  const document = await page.goto(route, { waitUntil: "networkidle" });
  await page.waitForTimeout(300);
  const html = (await document?.text()) ?? "";
  const named = new Set([...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => new URL(m[1]!.replace(/&amp;/g, "&"), running.baseURL).href));
  let first = 0;
  let lazy = 0;
  for (const [url, size] of scripts) {
    if (named.has(url)) first += size;
    else lazy += size;
  }
  await page.context().close();
  return { route, firstLoadKb: first / 1024, lazyKb: lazy / 1024 };
}

export async function workbenchBench({ customers = 1_000_000, runs = 3 } = {}) {
  const running = await startConsole({ SEED_DEMO: "true", SEED_DEMO_CUSTOMERS: String(customers), LOG_LEVEL: "warn" });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"] });
  try {
    const credentials = await localCredentials(running, "org-a");
    const config = { endpoint: `http://127.0.0.1:${running.cloudPort}`, region: "us-east-1", credentials };
    const cleanrooms = new CleanRoomsClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const collaboration = (await cleanrooms.send(new ListCollaborationsCommand({}))).collaborationList!.find((c) => c.name === DEMO_COLLABORATION)!;
    const membership = (await cleanrooms.send(new ListMembershipsCommand({}))).membershipSummaries!.find((m) => m.collaborationId === collaboration.id)!;

    const routes = [
      "/sign-in",
      "/",
      "/datasets",
      "/configured-tables",
      "/collaborations",
      `/collaborations/${collaboration.id}`,
      "/workbench",
      `/workbench/${collaboration.id}`,
      "/query-logs",
      "/audit",
      "/users",
    ];
    const weights: RouteWeight[] = [];
    for (const route of routes) weights.push(await weigh(browser, running, route));

    // Run to chart in Chromium, and the same query through the SDK alone, alternately.
    const analyst = await signedInPage(browser, running, "analyst@org-a.example");
    const browserSeconds: number[] = [];
    const sdkSeconds: number[] = [];
    for (let i = 0; i < runs; i++) {
      await analyst.goto(`/workbench/${collaboration.id}`);
      await analyst.locator(".cm-content").waitFor();
      // Timed in the page (the click, and the chart's insertion into the document), not by
      // Playwright's polling, which would add up to a few hundred milliseconds of its own.
      await analyst.evaluate(() => {
        const times = ((window as unknown as { benchTimes: { run: number; chart: number } }).benchTimes = { run: 0, chart: 0 });
        document.addEventListener("click", () => (times.run = performance.now()), { capture: true, once: true });
        const observer = new MutationObserver(() => {
          if (!document.querySelector('[role="img"][aria-label*="chart of"]')) return;
          times.chart = performance.now();
          observer.disconnect();
        });
        observer.observe(document.body, { childList: true, subtree: true });
      });
      await analyst.getByRole("button", { name: "Run", exact: true }).click();
      await analyst.getByRole("img", { name: /Bar chart of/ }).waitFor({ timeout: 120_000 });
      browserSeconds.push(
        await analyst.evaluate(() => {
          const { run, chart } = (window as unknown as { benchTimes: { run: number; chart: number } }).benchTimes;
          return (chart - run) / 1000;
        }),
      );

      const sdkStarted = Date.now();
      const { protectedQuery } = await cleanrooms.send(
        new StartProtectedQueryCommand({
          membershipIdentifier: membership.id!,
          type: "SQL",
          sqlParameters: { queryString: DEMO_SUGGESTED_SQL },
          resultConfiguration: { outputConfiguration: { s3: { bucket: `cleanrooms-results-${demoOrganizations[0].awsAccountId}`, keyPrefix: "bench/", resultFormat: "CSV" } } },
        }),
      );
      for (;;) {
        const state = (await cleanrooms.send(new GetProtectedQueryCommand({ membershipIdentifier: membership.id!, protectedQueryIdentifier: protectedQuery!.id! }))).protectedQuery!;
        if (state.status === "SUCCESS") {
          const location = /^s3:\/\/([^/]+)\/(.+)$/.exec((state.result!.output as { s3: { location: string } }).s3.location)!;
          await (await s3.send(new GetObjectCommand({ Bucket: location[1]!, Key: location[2]! }))).Body!.transformToString();
          break;
        }
        if (state.status !== "SUBMITTED" && state.status !== "STARTED") throw new Error(`the SDK's query ended ${state.status}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      sdkSeconds.push((Date.now() - sdkStarted) / 1000);
    }

    // The check as you type: each edit, then the server action's round trip for its verdict.
    const checkMs: number[] = [];
    await analyst.goto(`/workbench/${collaboration.id}`);
    const editor = analyst.locator(".cm-content");
    await editor.waitFor();
    // From sending the request to the first byte of the answer (the answer is one small RSC payload).
    analyst.on("response", (response) => {
      const request = response.request();
      if (request.method() !== "POST" || !request.headers()["next-action"] || !request.postData()?.includes("SELECT b.")) return;
      const timing = request.timing();
      checkMs.push(timing.responseStart - timing.requestStart);
    });
    const edits = ["region", "age_group", "channel_preference", "customer_id", "product_category", "region", "age_group", "engagement_score", "region", "age_group"];
    for (const [i, column] of edits.entries()) {
      await editor.fill(`SELECT b.${column}, COUNT(DISTINCT a.customer_id) AS n${i} FROM org_a_customers a JOIN org_b_customers b ON a.customer_id = b.customer_id GROUP BY b.${column}`);
      // The check runs after a 400 ms pause in typing; then its answer comes.
      await analyst.waitForTimeout(1_200);
    }
    // The engine's validator alone, in this process, on a join of the same shape (the engine's corpus).
    const join = accepted[2]!.sql;
    await validateQuery(join, catalog);
    const validatorMs: number[] = [];
    for (let i = 0; i < 50; i++) {
      // Each text differs (a comment), so that the validator works it out rather than remembering it.
      const text = `${join}\n-- edit ${i}`;
      const started = process.hrtime.bigint();
      await validateQuery(text, catalog);
      validatorMs.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return {
      customers,
      validatorMs: median(validatorMs),
      weights,
      runToChart: { browser: median(browserSeconds), sdk: median(sdkSeconds) },
      check: { median: median(checkMs), p95: percentile(checkMs, 95), samples: checkMs.length },
    };
  } finally {
    await browser.close();
    await running.stop();
  }
}

// Run alone: npx tsx scripts/bench/workbench.ts [customers per organization]
if (process.argv[1]?.endsWith("workbench.ts")) {
  workbenchBench({ customers: Number(process.argv[2] ?? 1_000_000) }).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
