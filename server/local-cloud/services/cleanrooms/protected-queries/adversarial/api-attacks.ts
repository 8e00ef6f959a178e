import { CopyObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { CreateCrawlerCommand, CreateTableCommand, GetCrawlerCommand, GetTableCommand, GetTablesCommand, StartCrawlerCommand } from "@aws-sdk/client-glue";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import {
  CleanRoomsClient,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  GetConfiguredTableCommand,
  GetProtectedQueryCommand,
  ListCollaborationsCommand,
  ListProtectedQueriesCommand,
  StartProtectedQueryCommand,
  UpdateProtectedQueryCommand,
} from "@aws-sdk/client-cleanrooms";
import { signedFetch, type TestCloud } from "../../../../testing";
import { A, B, type World } from "./world";

// Attacks through the API rather than through SQL: other members' resources, signatures,
// malformed input, patterns. Each answers with an HTTP status and the text the attacker sees.

export interface Answer {
  status: number;
  text: string;
}
export interface ApiAttack {
  cls: "cross-account" | "signature" | "malformed" | "patterns" | "names";
  name: string;
  run: (cloud: TestCloud, world: World) => Promise<Answer>;
  /** The status class the attack must get: a refusal (4xx) unless stated. */
  expect: (answer: Answer) => boolean;
}

export async function sdk(promise: Promise<unknown>): Promise<Answer> {
  try {
    return { status: 200, text: JSON.stringify(await promise, (_k, v) => (typeof v === "bigint" ? String(v) : v)) };
  } catch (error) {
    const e = error as Error & { $metadata?: { httpStatusCode?: number } };
    return { status: e.$metadata?.httpStatusCode ?? 0, text: `${e.name}: ${e.message}` };
  }
}
const http = async (response: Response): Promise<Answer> => ({ status: response.status, text: await response.text() });
const refusal = (a: Answer) => a.status >= 400 && a.status < 500;
const start = (world: World, membership: string, queryString: string, bucket?: string) =>
  world.cleanA.send(
    new StartProtectedQueryCommand({
      membershipIdentifier: membership,
      type: "SQL",
      sqlParameters: { queryString },
      ...(bucket ? { resultConfiguration: { outputConfiguration: { s3: { resultFormat: "CSV", bucket } } } } : {}),
    }),
  );
const cleanroomsPost = (cloud: TestCloud, path: string, body: string | Buffer, extra: { sendBody?: string; signingDate?: Date } = {}) =>
  signedFetch(cloud, "org-a", { service: "cleanrooms", method: "POST", path, headers: { "content-type": "application/json" }, body, ...extra });
const queryPath = (world: World) => `/memberships/${world.membershipA}/protectedQueries`;
const badClient = (cloud: TestCloud, accessKeyId: string, secretAccessKey: string) =>
  new CleanRoomsClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials: { accessKeyId, secretAccessKey } });

export const apiAttacks: ApiAttack[] = [
  // Other members' resources.
  { cls: "cross-account", name: "start a query in the victim's membership", run: (_c, w) => sdk(start(w, w.membershipB, "SELECT region FROM b_vict")), expect: refusal },
  {
    cls: "cross-account",
    name: "read a query of the victim's membership",
    run: (_c, w) => sdk(w.cleanA.send(new GetProtectedQueryCommand({ membershipIdentifier: w.membershipB, protectedQueryIdentifier: "00000000-0000-4000-8000-000000000000" }))),
    expect: refusal,
  },
  { cls: "cross-account", name: "list the victim's queries", run: (_c, w) => sdk(w.cleanA.send(new ListProtectedQueriesCommand({ membershipIdentifier: w.membershipB }))), expect: refusal },
  {
    cls: "cross-account",
    name: "cancel in the victim's membership",
    run: (_c, w) =>
      sdk(w.cleanA.send(new UpdateProtectedQueryCommand({ membershipIdentifier: w.membershipB, protectedQueryIdentifier: "00000000-0000-4000-8000-000000000000", targetStatus: "CANCELLED" }))),
    expect: refusal,
  },
  { cls: "cross-account", name: "send results to the victim's bucket", run: (_c, w) => sdk(start(w, w.membershipA, "SELECT region FROM b_vict", "org-b-data")), expect: refusal },
  {
    cls: "cross-account",
    name: "read the victim's object",
    run: async (c) => sdk((await c.s3("org-a")).send(new GetObjectCommand({ Bucket: "org-b-data", Key: "people/part-0.csv" }))),
    expect: refusal,
  },
  { cls: "cross-account", name: "list the victim's bucket", run: async (c) => sdk((await c.s3("org-a")).send(new ListObjectsV2Command({ Bucket: "org-b-data" }))), expect: refusal },
  {
    cls: "cross-account",
    name: "copy the victim's object into one's own bucket",
    run: async (c) => sdk((await c.s3("org-a")).send(new CopyObjectCommand({ Bucket: "org-a-data", Key: "stolen.csv", CopySource: "org-b-data/people/part-0.csv" }))),
    expect: refusal,
  },
  {
    cls: "cross-account",
    name: "presign a read of the victim's object with one's own key",
    run: async (c) => http(await fetch(await getSignedUrl((await c.s3("org-a")) as S3Client, new GetObjectCommand({ Bucket: "org-b-data", Key: "people/part-0.csv" }), { expiresIn: 60 }))),
    expect: refusal,
  },
  {
    cls: "cross-account",
    name: "read the victim's Glue table",
    run: async (c) => sdk((await c.glue("org-a")).send(new GetTableCommand({ DatabaseName: "analytics", Name: "people" }))),
    expect: refusal,
  },
  {
    cls: "cross-account",
    name: "read the victim's Glue catalog by its id",
    run: async (c) => sdk((await c.glue("org-a")).send(new GetTablesCommand({ CatalogId: B, DatabaseName: "analytics" }))),
    expect: refusal,
  },
  {
    cls: "cross-account",
    name: "read the victim's configured table",
    run: (_c, w) => sdk(w.cleanA.send(new GetConfiguredTableCommand({ configuredTableIdentifier: w.tables.b_vict! }))),
    expect: refusal,
  },
  {
    cls: "cross-account",
    name: "associate the victim's configured table as one's own",
    run: (_c, w) =>
      sdk(
        w.cleanA.send(
          new CreateConfiguredTableAssociationCommand({
            membershipIdentifier: w.membershipA,
            configuredTableIdentifier: w.tables.b_vict!,
            name: "stolen",
            roleArn: `arn:aws:iam::${A}:role/CleanRooms`,
          }),
        ),
      ),
    expect: refusal,
  },
  {
    cls: "cross-account",
    name: "configure a table over the victim's Glue table",
    run: (_c, w) =>
      sdk(
        w.cleanA.send(
          new CreateConfiguredTableCommand({ name: "mine", tableReference: { glue: { databaseName: "analytics", tableName: "people" } }, allowedColumns: ["email"], analysisMethod: "DIRECT_QUERY" }),
        ),
      ),
    expect: refusal,
  },
  {
    cls: "names",
    name: "associate one's own table under the victim's table name in other letter case",
    run: (_c, w) =>
      sdk(
        w.cleanA.send(
          new CreateConfiguredTableAssociationCommand({
            membershipIdentifier: w.membershipA,
            configuredTableIdentifier: w.tables.a_custom!,
            name: "B_VICT",
            roleArn: `arn:aws:iam::${A}:role/CleanRooms`,
          }),
        ),
      ),
    expect: (a) => a.status === 409 && a.text.startsWith("ConflictException"),
  },

  // Signatures.
  // A presigned URL dated ahead would outlive S3's 7-day cap on X-Amz-Expires: "not valid yet", as S3 answers.
  ...[
    { ahead: 60 * 60 * 1000, expiresIn: 60, label: "an hour" },
    { ahead: 6 * 24 * 3600 * 1000, expiresIn: 604_800, label: "six days, for seven more" },
    { ahead: 365 * 24 * 3600 * 1000, expiresIn: 604_800, label: "a year" },
  ].map(({ ahead, expiresIn, label }): ApiAttack => ({
    cls: "signature",
    name: `presign one's own object dated ${label} ahead`,
    run: async (c) =>
      http(
        await fetch(
          await getSignedUrl((await c.s3("org-a")) as S3Client, new GetObjectCommand({ Bucket: "org-a-data", Key: "ids/part-0.csv" }), { expiresIn, signingDate: new Date(Date.now() + ahead) }),
        ),
      ),
    expect: (a) => a.status === 403 && a.text.includes("Request is not valid yet"),
  })),
  { cls: "signature", name: "no signature at all", run: async (c) => http(await fetch(`${c.endpoint}/collaborations?memberStatus=ACTIVE`)), expect: refusal },
  {
    cls: "signature",
    name: "a wrong secret",
    run: async (c) => sdk(badClient(c, (await c.credentials("org-a")).accessKeyId, "x".repeat(40)).send(new ListCollaborationsCommand({ memberStatus: "ACTIVE" }))),
    expect: refusal,
  },
  {
    cls: "signature",
    name: "an unknown access key",
    run: (c) => sdk(badClient(c, "AKIAUNKNOWNKEY000000", "y".repeat(40)).send(new ListCollaborationsCommand({ memberStatus: "ACTIVE" }))),
    expect: refusal,
  },
  {
    cls: "signature",
    name: "the attacker's key id with the victim's secret",
    run: async (c) => sdk(badClient(c, (await c.credentials("org-a")).accessKeyId, (await c.credentials("org-b")).secretAccessKey).send(new ListCollaborationsCommand({ memberStatus: "ACTIVE" }))),
    expect: refusal,
  },
  {
    cls: "signature",
    name: "a body changed after signing",
    run: async (c, w) =>
      http(
        await cleanroomsPost(c, queryPath(w), JSON.stringify({ type: "SQL", sqlParameters: { queryString: "SELECT region FROM b_vict" } }), {
          sendBody: JSON.stringify({ type: "SQL", sqlParameters: { queryString: "SELECT email FROM b_vict" } }),
        }),
      ),
    expect: refusal,
  },
  { cls: "signature", name: "a signature an hour old", run: async (c, w) => http(await cleanroomsPost(c, queryPath(w), "{}", { signingDate: new Date(Date.now() - 3600_000) })), expect: refusal },
  { cls: "signature", name: "a signature for another service", run: async (c) => http(await signedFetch(c, "org-a", { service: "s3", method: "GET", path: "/collaborations" })), expect: refusal },

  // Malformed input: a clear 4xx, never a 500.
  { cls: "malformed", name: "malformed JSON", run: async (c, w) => http(await cleanroomsPost(c, queryPath(w), "{not json")), expect: refusal },
  {
    cls: "malformed",
    name: "a query string of the wrong type",
    run: async (c, w) => http(await cleanroomsPost(c, queryPath(w), JSON.stringify({ type: "SQL", sqlParameters: { queryString: 42 } }))),
    expect: refusal,
  },
  { cls: "malformed", name: "a query one character over the limit", run: (_c, w) => sdk(start(w, w.membershipA, `SELECT region FROM b_vict -- ${"x".repeat(500_001)}`)), expect: refusal },
  { cls: "malformed", name: "a NUL byte in the query", run: (_c, w) => sdk(start(w, w.membershipA, "SELECT region FROM b_vict\u0000; SELECT email FROM b_vict")), expect: refusal },
  { cls: "malformed", name: "JSON nested ten thousand deep", run: async (c, w) => http(await cleanroomsPost(c, queryPath(w), `${"[".repeat(10_000)}${"]".repeat(10_000)}`)), expect: refusal },
  {
    cls: "malformed",
    name: "bytes that are not UTF-8",
    run: async (c, w) => http(await cleanroomsPost(c, queryPath(w), Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]))),
    expect: refusal,
  },
  {
    cls: "malformed",
    name: "both a query and a template",
    run: (_c, w) =>
      sdk(
        w.cleanA.send(
          new StartProtectedQueryCommand({
            membershipIdentifier: w.membershipA,
            type: "SQL",
            sqlParameters: { queryString: "SELECT region FROM b_vict", analysisTemplateArn: "arn:aws:cleanrooms:us-east-1:111111111111:membership/x/analysistemplate/y" },
          }),
        ),
      ),
    expect: refusal,
  },
  {
    cls: "malformed",
    name: "a hundred thousand parameters",
    run: async (c, w) =>
      http(
        await cleanroomsPost(
          c,
          queryPath(w),
          JSON.stringify({ type: "SQL", sqlParameters: { queryString: "SELECT 1", parameters: Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`p${i}`, "v"])) } }),
        ),
      ),
    expect: refusal,
  },

  // Caller-supplied patterns run in linear time and refuse what RE2 cannot run.
  {
    cls: "patterns",
    name: "a catastrophic-backtracking Glue expression, while others are served",
    run: async (c) => {
      const glue = await c.glue("org-a");
      await glue.send(new CreateTableCommand({ DatabaseName: "analytics", TableInput: { Name: `${"a".repeat(60)}x`, StorageDescriptor: { Columns: [{ Name: "c", Type: "string" }] } } }));
      const began = Date.now();
      const sts = await c.sts("org-a");
      const [tables, others] = await Promise.all([
        sdk(glue.send(new GetTablesCommand({ DatabaseName: "analytics", Expression: "(a|aa)+" }))),
        Promise.all(Array.from({ length: 5 }, () => sdk(sts.send(new GetCallerIdentityCommand({}))))),
      ]);
      // A backtracking engine needs on the order of 2^60 steps here; RE2 a few thousand.
      const fast = Date.now() - began < 10_000 && others.every((o) => o.status === 200);
      return { status: fast ? tables.status : 599, text: tables.text };
    },
    expect: (a) => a.status === 200 && !a.text.includes("aaaax"),
  },
  {
    cls: "patterns",
    name: "a lookahead RE2 does not run",
    run: async (c) => sdk((await c.glue("org-a")).send(new GetTablesCommand({ DatabaseName: "analytics", Expression: "(?=a)a.*" }))),
    expect: (a) => a.status === 400 && a.text.includes("InvalidInputException"),
  },
  {
    cls: "patterns",
    name: "a backreference",
    run: async (c) => sdk((await c.glue("org-a")).send(new GetTablesCommand({ DatabaseName: "analytics", Expression: "(a)\\1" }))),
    expect: (a) => a.status === 400,
  },
  {
    cls: "patterns",
    name: "a five-thousand-character expression",
    run: async (c) => sdk((await c.glue("org-a")).send(new GetTablesCommand({ DatabaseName: "analytics", Expression: "(a?)".repeat(1250) }))),
    expect: (a) => a.status === 400,
  },
  {
    cls: "patterns",
    name: "a pathological crawler exclusion",
    run: async (c) => {
      const glue = await c.glue("org-a");
      await glue.send(
        new CreateCrawlerCommand({
          Name: "greedy",
          Role: `arn:aws:iam::${A}:role/Glue`,
          DatabaseName: "analytics",
          TablePrefix: "g_",
          Targets: { S3Targets: [{ Path: "s3://org-a-data/custom/", Exclusions: [`${"**a".repeat(40)}**b`] }] },
        }),
      );
      await glue.send(new StartCrawlerCommand({ Name: "greedy" }));
      for (let i = 0; i < 200; i++) {
        const { Crawler } = await glue.send(new GetCrawlerCommand({ Name: "greedy" }));
        if (Crawler?.State === "READY") return { status: 200, text: Crawler.LastCrawl?.Status ?? "" };
        await new Promise((r) => setTimeout(r, 50));
      }
      return { status: 599, text: "the crawler did not finish" };
    },
    expect: (a) => a.status === 200 && a.text === "SUCCEEDED",
  },
];
