import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client, ListBucketsCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { CreateCrawlerCommand, CreateDatabaseCommand, GetCrawlerCommand, GetDatabaseCommand, GlueClient, StartCrawlerCommand } from "@aws-sdk/client-glue";
import { CleanRoomsClient, CreateCollaborationCommand, GetCollaborationCommand } from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, openDatabase, setProcessDatabase } from "@/server/db/client";
import { users } from "@/server/db/schema";
import { getOrganizationBySlug } from "@/server/organizations/store";
import type { LocalCredentials } from "@/server/local-keys/credentials";
import { startServerProcess, type ServerProcess } from "@/server/testing/server-process";

// A restart here is a new process on the same DATA_DIR, after the previous one was killed
// (SIGKILL, as a crash would end it) or stopped: nothing of the first process's memory survives.
const secrets = { LOCAL_CLOUD_SECRET: "restart-test-secret-0123456789abcdef", AUTH_SECRET: "restart-test-auth-secret-0123456789abc" };
const dirs: string[] = [];
const newDataDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-restart-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function clients(server: ServerProcess, slug: "org-a" | "org-b" = "org-a") {
  const found: LocalCredentials | undefined = server.credentials[slug];
  if (!found) throw new Error(`${slug} was not seeded`);
  const config = { endpoint: server.endpoint, region: "us-east-1", credentials: { accessKeyId: found.accessKeyId, secretAccessKey: found.secretAccessKey } };
  return { s3: new S3Client({ ...config, forcePathStyle: true }), glue: new GlueClient(config), cleanrooms: new CleanRoomsClient(config) };
}

const tmpFiles = (dataDir: string) => {
  const dir = path.join(dataDir, "local-cloud", "s3", "tmp");
  return fs.existsSync(dir) ? fs.readdirSync(dir) : [];
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("a restart after a crash", () => {
  let dataDir: string;
  let first: ServerProcess;
  beforeAll(async () => {
    dataDir = newDataDir();
    first = await startServerProcess({ ...secrets, DATA_DIR: dataDir });
  }, 120_000);

  it("keeps buckets, object versions, Glue databases, collaborations and keys", async () => {
    const { s3, glue, cleanrooms } = clients(first);
    await s3.send(new CreateBucketCommand({ Bucket: "org-a-durable" }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: "org-a-durable", VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutObjectCommand({ Bucket: "org-a-durable", Key: "k.txt", Body: "first" }));
    await s3.send(new PutObjectCommand({ Bucket: "org-a-durable", Key: "k.txt", Body: "still here" }));
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "durable_db" } }));
    const { collaboration } = await cleanrooms.send(
      new CreateCollaborationCommand({ name: "durable", description: "d", creatorDisplayName: "A", creatorMemberAbilities: [], members: [], queryLogStatus: "DISABLED" }),
    );
    await first.crash();

    const second = await startServerProcess({ ...secrets, DATA_DIR: dataDir });
    try {
      expect(second.credentials["org-a"]).toEqual({ ...first.credentials["org-a"], endpoint: second.endpoint });
      const after = clients(second);
      expect(await (await after.s3.send(new GetObjectCommand({ Bucket: "org-a-durable", Key: "k.txt" }))).Body!.transformToString()).toBe("still here");
      expect((await after.s3.send(new ListObjectVersionsCommand({ Bucket: "org-a-durable" }))).Versions).toHaveLength(2);
      expect((await after.glue.send(new GetDatabaseCommand({ Name: "durable_db" }))).Database?.Name).toBe("durable_db");
      expect((await after.cleanrooms.send(new GetCollaborationCommand({ collaborationIdentifier: collaboration!.id! }))).collaboration?.name).toBe("durable");
    } finally {
      await second.stop();
    }
  }, 120_000);
});

describe("work cut short by a crash", () => {
  it("ends an interrupted crawl FAILED and removes a half-written upload and an interrupted query's result", async () => {
    const dataDir = newDataDir();
    const first = await startServerProcess({ ...secrets, DATA_DIR: dataDir });
    const { s3, glue } = clients(first);
    await s3.send(new CreateBucketCommand({ Bucket: "org-a-many" }));
    // Enough folders (each a table to infer) that the crawl is still running when the process dies.
    const folders = Array.from({ length: 300 }, (_, i) => `t${String(i).padStart(3, "0")}`);
    for (let i = 0; i < folders.length; i += 30) {
      await Promise.all(folders.slice(i, i + 30).map((folder) => s3.send(new PutObjectCommand({ Bucket: "org-a-many", Key: `${folder}/part-0.csv`, Body: "id,amount\n1,2.5\n2,3.5\n" }))));
    }
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "many" } }));
    await glue.send(new CreateCrawlerCommand({ Name: "many", Role: "arn:aws:iam::111111111111:role/crawler", DatabaseName: "many", Targets: { S3Targets: [{ Path: "s3://org-a-many/" }] } }));
    await glue.send(new StartCrawlerCommand({ Name: "many" }));

    // An upload whose body stops halfway: its bytes sit in a temporary file when the process dies.
    const url = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: "org-a-many", Key: "half.bin" }), { expiresIn: 300 }));
    const upload = http.request(url, { method: "PUT", headers: { "content-length": String(1 << 20) } });
    upload.on("error", () => {}); // the server goes away mid-request, by design
    upload.write(Buffer.alloc(1 << 19, 1));
    await until("the upload's temporary file", async () => (tmpFiles(dataDir).length ? true : undefined));
    expect((await glue.send(new GetCrawlerCommand({ Name: "many" }))).Crawler?.State).toBe("RUNNING");
    // What a query interrupted mid-run leaves: its result, never delivered.
    const interrupted = path.join(dataDir, "local-cloud", "results", "interrupted-query");
    fs.mkdirSync(interrupted, { recursive: true });
    fs.writeFileSync(path.join(interrupted, "result.csv"), "region,n\neast,2\n");
    await first.crash();
    upload.destroy();

    const second = await startServerProcess({ ...secrets, DATA_DIR: dataDir });
    try {
      const after = clients(second);
      const { Crawler } = await after.glue.send(new GetCrawlerCommand({ Name: "many" }));
      expect(Crawler?.State).toBe("READY");
      expect(Crawler?.LastCrawl).toMatchObject({ Status: "FAILED", ErrorMessage: expect.stringContaining("interrupted by a restart") });
      expect(tmpFiles(dataDir)).toEqual([]);
      expect(fs.existsSync(interrupted)).toBe(false);
      expect(await after.s3.send(new HeadObjectCommand({ Bucket: "org-a-many", Key: "half.bin" })).catch((e: Error) => e.name)).toBe("NotFound");
      // The crawler can run again, to the end this time.
      await after.glue.send(new StartCrawlerCommand({ Name: "many" }));
      const done = await until(
        "the second crawl",
        async () => {
          const { Crawler: now } = await after.glue.send(new GetCrawlerCommand({ Name: "many" }));
          return now?.State === "READY" ? now : undefined;
        },
        120_000,
      );
      expect(done.LastCrawl?.Status).toBe("SUCCEEDED");
    } finally {
      await second.stop();
    }
  }, 240_000);
});

describe("SEED_DEMO=false", () => {
  it("starts with no organizations or users, and a local cloud that knows no keys", async () => {
    const dataDir = newDataDir();
    const server = await startServerProcess({ ...secrets, DATA_DIR: dataDir, SEED_DEMO: "false" });
    try {
      expect(server.credentials).toEqual({});
      const stranger = new S3Client({ endpoint: server.endpoint, region: "us-east-1", forcePathStyle: true, credentials: { accessKeyId: "AKIAAAAAAAAAAAAAAAAA", secretAccessKey: "x".repeat(40) } });
      expect(await stranger.send(new ListBucketsCommand({})).catch((e: Error) => e.name)).toBe("InvalidAccessKeyId");
    } finally {
      await server.stop();
    }
    // The store it left behind has its schema and nothing in it.
    await setProcessDatabase(await openDatabase({ pgliteDir: path.join(dataDir, "pglite") }));
    try {
      expect(await getOrganizationBySlug({ slug: "org-a" })).toBeUndefined();
      expect(await (await getDb()).select().from(users)).toEqual([]);
    } finally {
      await setProcessDatabase(undefined);
    }
  }, 120_000);
});
