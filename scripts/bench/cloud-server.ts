// The local cloud alone in its own process, on a throwaway data directory, for benchmarks.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cloud-"));
process.env.DATA_DIR = dir;
process.env.LOG_LEVEL = "warn";

async function main() {
  const { openDatabase, setProcessDatabase } = await import("../../server/db/client");
  const { seedDemo } = await import("../../server/seed/demo");
  const { credentialsForOrganization } = await import("../../server/local-keys/credentials");
  const { startLocalCloud } = await import("../../server/local-cloud/server");
  // The embedded PGlite by default; BENCH_DATABASE_URL measures the same on PostgreSQL.
  await setProcessDatabase(await openDatabase({ url: process.env.BENCH_DATABASE_URL, pgliteDir: path.join(dir, "pglite") }));
  await seedDemo();
  const { onStageReport } = await import("../../server/engine/exec/stages");
  // As the console's start does (server/local-cloud/index.ts).
  await (await import("../../server/local-cloud/services/s3/blobs")).prepareBlobDirectories();
  const cloud = await startLocalCloud({ port: 0 });
  const credentials = { a: await credentialsForOrganization("org-a"), b: await credentialsForOrganization("org-b") };
  process.stdout.write(`${JSON.stringify({ port: cloud.port, credentials })}\n`);
  // Each protected query's stages, one JSON line each, for the benchmark to read.
  onStageReport((report) => process.stdout.write(`${JSON.stringify({ stages: report })}\n`));
}

process.on("SIGTERM", () => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
void main();
