import { CreateBucketCommand, DeleteBucketCommand, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { GetProtectedQueryCommand, StartProtectedQueryCommand, UpdateProtectedQueryCommand, type ProtectedQuery } from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCloud, type TestCloud } from "../../../../testing";
import { apiAttacks, sdk, type Answer } from "./api-attacks";
import { sqlAttacks } from "./sql-attacks";
import { A, aIds, bCustomers, bPeople, buildWorld, protectedValues, type World } from "./world";

// An attacking member of a collaboration, through the API only. Every answer is judged against
// the ground truth of world.ts, computed without the engine: no protected value in any result or
// message, never a 500, refusals where the rules refuse, and correct answers where they allow.

let cloud: TestCloud;
let world: World;
const secrets = protectedValues();

beforeAll(async () => {
  // Small limits, so that a query built to exhaust the machine ends soon.
  process.env.PROTECTED_QUERY_TIMEOUT_SECONDS = "4";
  process.env.PROTECTED_QUERY_MEMORY_LIMIT = "512MB";
  process.env.PROTECTED_QUERY_THREADS = "1";
  process.env.PROTECTED_QUERY_CONCURRENCY = "1";
  cloud = await startTestCloud();
  world = await buildWorld(cloud);
}, 180_000);
afterAll(async () => {
  await cloud.close();
  for (const name of ["PROTECTED_QUERY_TIMEOUT_SECONDS", "PROTECTED_QUERY_MEMORY_LIMIT", "PROTECTED_QUERY_THREADS", "PROTECTED_QUERY_CONCURRENCY"]) delete process.env[name];
});

async function finished(id: string): Promise<ProtectedQuery> {
  for (let i = 0; i < 1000; i++) {
    const { protectedQuery } = await world.cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: world.membershipA, protectedQueryIdentifier: id }));
    if (!["SUBMITTED", "STARTED", "CANCELLING"].includes(protectedQuery!.status!)) return protectedQuery!;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`query ${id} did not finish`);
}

type Outcome = { kind: "refused" | "failed" | "result"; status: number; text: string };

/** What the attacker receives for `sql`: a refusal, a failed query's error, or the result's bytes. */
async function attempt(sql: string, bucket?: string): Promise<Outcome> {
  const started = await sdk(
    world.cleanA.send(
      new StartProtectedQueryCommand({
        membershipIdentifier: world.membershipA,
        type: "SQL",
        sqlParameters: { queryString: sql },
        ...(bucket ? { resultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket } } } } : {}),
      }),
    ),
  );
  if (started.status !== 200) return { kind: started.text.startsWith("ValidationException") ? "refused" : "failed", status: started.status, text: started.text };
  const query = await finished((JSON.parse(started.text) as { protectedQuery: { id: string } }).protectedQuery.id);
  if (query.status !== "SUCCESS") return { kind: query.error?.code === "INVALID_QUERY" ? "refused" : "failed", status: 200, text: `${query.status} ${query.error?.code}: ${query.error?.message}` };
  const location = query.result!.output!.s3!.location!.replace(/^s3:\/\/[^/]+\//, "");
  const object = await (await cloud.s3("org-a")).send(new GetObjectCommand({ Bucket: bucket ?? "org-a-results", Key: location }));
  return { kind: "result", status: 200, text: await object.Body!.transformToString() };
}

/** The judge: which protected value, if any, the attacker received. */
const leaked = (text: string) => secrets.find((secret) => text.includes(secret)) ?? (/cnry/i.test(text) ? "a canary" : undefined);

const rowsOf = (csv: string) =>
  csv
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .sort((a, b) => a.join().localeCompare(b.join()));

describe("the adversarial suite", () => {
  it("holds at least 150 attacks", () => {
    expect(sqlAttacks.length + apiAttacks.length).toBeGreaterThanOrEqual(150);
  });

  it.each(sqlAttacks.map((a) => [a.cls, a.expect, a.sql] as const))("%s (%s): %s", async (_cls, expected, sql) => {
    const outcome = await attempt(sql);
    expect(outcome.status, outcome.text).not.toBe(500);
    expect(leaked(outcome.text), outcome.text.slice(0, 500)).toBeUndefined();
    if (expected === "refused") expect(outcome.kind, outcome.text).toBe("refused");
    if (expected === "runs") expect(outcome.kind, outcome.text).toBe("result");
  });

  it.each(apiAttacks.map((a) => [a.cls, a.name, a] as const))("%s: %s", async (_cls, _name, attack) => {
    const answer: Answer = await attack.run(cloud, world);
    expect(answer.status, answer.text).not.toBe(500);
    expect(leaked(answer.text), answer.text.slice(0, 500)).toBeUndefined();
    expect(attack.expect(answer), `${answer.status} ${answer.text.slice(0, 300)}`).toBe(true);
  });
});

describe("what the rules allow still answers correctly", () => {
  it("counts and sums segments of at least three customers, and nothing else", async () => {
    const outcome = await attempt("SELECT segment, COUNT(DISTINCT customer_id) AS n, SUM(amount) AS total FROM b_customers GROUP BY segment");
    const expected = new Map<string, { ids: Set<unknown>; total: number }>();
    for (const row of bCustomers) {
      const group = expected.get(String(row.segment)) ?? { ids: new Set(), total: 0 };
      group.ids.add(row.customer_id);
      group.total += Number(row.amount);
      expected.set(String(row.segment), group);
    }
    const truth = [...expected].filter(([, g]) => g.ids.size >= 3).map(([segment, g]) => [segment, String(g.ids.size), g.total.toFixed(1)]);
    expect(rowsOf(outcome.text)).toEqual(truth.sort((a, b) => a.join().localeCompare(b.join())));
  });

  it("joins the attacker's duplicates without letting the victim's group through", async () => {
    const outcome = await attempt("SELECT b.segment, COUNT(DISTINCT b.customer_id) AS n FROM b_customers b JOIN a_ids a ON b.customer_id = a.customer_id GROUP BY b.segment");
    const ids = new Set(aIds.map((r) => r.customer_id));
    const bySegment = new Map<string, Set<unknown>>();
    for (const row of bCustomers) if (ids.has(row.customer_id)) bySegment.set(String(row.segment), (bySegment.get(String(row.segment)) ?? new Set()).add(row.customer_id));
    const truth = [...bySegment].filter(([, g]) => g.size >= 3).map(([segment, g]) => [segment, String(g.size)]);
    expect(rowsOf(outcome.text)).toEqual(truth.sort((a, b) => a.join().localeCompare(b.join())));
  });

  it("answers a custom query over allowed columns", async () => {
    const outcome = await attempt("SELECT region, count(*) AS n FROM b_vict GROUP BY region");
    const counts = new Map<string, number>();
    for (const row of bPeople) counts.set(String(row.region), (counts.get(String(row.region)) ?? 0) + 1);
    expect(rowsOf(outcome.text)).toEqual([...counts].map(([r, n]) => [r, String(n)]).sort((a, b) => a.join().localeCompare(b.join())));
  });
});

describe("limits", () => {
  it("stops a query past PROTECTED_QUERY_TIMEOUT_SECONDS as TIMED_OUT, and runs one query at a time when the limit is one", async () => {
    const bomb = await world.cleanA.send(
      new StartProtectedQueryCommand({
        membershipIdentifier: world.membershipA,
        type: "SQL",
        sqlParameters: { queryString: "SELECT count(*) AS n FROM a_custom a, a_custom b, a_custom c, a_custom d, a_custom e, a_custom f, a_custom g, a_custom h" },
      }),
    );
    const next = await world.cleanA.send(
      new StartProtectedQueryCommand({ membershipIdentifier: world.membershipA, type: "SQL", sqlParameters: { queryString: "SELECT count(*) AS n FROM a_custom" } }),
    );
    for (let i = 0; i < 100; i++) {
      const { protectedQuery } = await world.cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: world.membershipA, protectedQueryIdentifier: bomb.protectedQuery!.id! }));
      if (protectedQuery!.status === "STARTED") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { protectedQuery: waiting } = await world.cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: world.membershipA, protectedQueryIdentifier: next.protectedQuery!.id! }));
    expect(waiting!.status).toBe("SUBMITTED");
    const stopped = await finished(bomb.protectedQuery!.id!);
    expect([stopped.status, stopped.error?.code]).toEqual(["TIMED_OUT", "TIMED_OUT"]);
    expect(stopped.statistics!.totalDurationInMillis!).toBeGreaterThanOrEqual(3_900);
    expect((await finished(next.protectedQuery!.id!)).status).toBe("SUCCESS");
  }, 30_000);
});

describe("results go only where they may", () => {
  it("does not write a result into a bucket that changed hands while the query waited", async () => {
    const s3A = await cloud.s3("org-a");
    const s3B = await cloud.s3("org-b");
    // A query that holds the only slot, so the next one waits in SUBMITTED.
    const blocker = await world.cleanA.send(
      new StartProtectedQueryCommand({
        membershipIdentifier: world.membershipA,
        type: "SQL",
        sqlParameters: { queryString: "SELECT count(*) FROM a_custom a, a_custom b, a_custom c, a_custom d, a_custom e, a_custom f, a_custom g" },
      }),
    );
    for (let i = 0; i < 200; i++) {
      const { protectedQuery } = await world.cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: world.membershipA, protectedQueryIdentifier: blocker.protectedQuery!.id! }));
      if (protectedQuery!.status === "STARTED") break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const waiting = await world.cleanA.send(
      new StartProtectedQueryCommand({
        membershipIdentifier: world.membershipA,
        type: "SQL",
        sqlParameters: { queryString: "SELECT region, count(*) AS n FROM b_vict GROUP BY region" },
        resultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket: "org-a-late" } } },
      }),
    );
    expect(waiting.protectedQuery!.status).toBe("SUBMITTED");
    await s3A.send(new DeleteBucketCommand({ Bucket: "org-a-late" }));
    await s3B.send(new CreateBucketCommand({ Bucket: "org-a-late" }));
    await world.cleanA.send(new UpdateProtectedQueryCommand({ membershipIdentifier: world.membershipA, protectedQueryIdentifier: blocker.protectedQuery!.id!, targetStatus: "CANCELLED" }));
    const done = await finished(waiting.protectedQuery!.id!);
    expect(done.status).toBe("FAILED");
    expect(done.error?.code).toBe("RESULT_NOT_DELIVERED");
    expect((await s3B.send(new ListObjectsV2Command({ Bucket: "org-a-late" }))).KeyCount).toBe(0);
    expect(A).toBe("111111111111");
  });
});
