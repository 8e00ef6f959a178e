import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { chromium } from "@playwright/test";
import { localCredentials, startConsole } from "../../e2e/console-server";
import { SignInPage } from "../../e2e/pages/sign-in";

// A large CSV uploaded through the console in a real Chromium (the datasets page: the browser
// streams the file to the console, which streams it on as a multipart upload), side by side with
// the same file sent straight to the console's local cloud with the SDK's multipart upload. For
// each: MB/s, and how much the console's processes' resident memory grew at its peak.

const MB = 1024 * 1024;

/** The summed resident memory of a process group, sampled until stopped; reports the peak. */
function watchMemory(group: number) {
  const rss = () => {
    let total = 0;
    for (const entry of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
        // Field 5 (after the parenthesized name) is the process group.
        const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
        if (pgrp !== group) continue;
        total += Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${entry}/status`, "utf8"))?.[1] ?? 0) * 1024;
      } catch {
        // the process ended meanwhile
      }
    }
    return total;
  };
  const before = rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 100);
  return {
    stop: () => {
      clearInterval(timer);
      return (Math.max(peak, rss()) - before) / MB;
    },
  };
}

async function writeCsv(file: string, bytes: number) {
  const out = fs.createWriteStream(file);
  out.write("customer_id,age_group,region,purchase_amount\n");
  const rows: string[] = [];
  for (let i = 0; i < 10_000; i++) rows.push(`${1_000_000 + i},${["18-24", "25-34", "35-44"][i % 3]},${["north", "south", "east", "west"][i % 4]},${(i % 997) + 0.5}`);
  const block = rows.join("\n") + "\n";
  let written = 0;
  while (written < bytes) {
    if (!out.write(block)) await new Promise<void>((resolve) => out.once("drain", () => resolve()));
    written += block.length;
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  return fs.statSync(file).size;
}

export async function browserUpload({ sizeGb = 1 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-upload-"));
  const file = path.join(dir, "customers.csv");
  const size = await writeCsv(file, sizeGb * 1024 * MB);
  const running = await startConsole({ SEED_DEMO: "true", LOG_LEVEL: "warn" });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"] });
  try {
    const page = await browser.newPage({ baseURL: running.baseURL });
    await new SignInPage(page).signIn("owner@org-a.example", "cleanrooms-demo");
    await page.goto("/datasets");
    await page.getByLabel("CSV or Parquet file").setInputFiles(file);
    await page.getByLabel("Dataset name (the catalogue table's name)").fill("customers");

    const browserMemory = watchMemory(running.processGroup);
    const browserStart = process.hrtime.bigint();
    await page.getByRole("button", { name: "Upload" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: "Uploaded customers" })
      .waitFor({ timeout: 30 * 60_000 });
    const browserSeconds = Number(process.hrtime.bigint() - browserStart) / 1e9;
    const browserGrowthMb = browserMemory.stop();

    // The same file, straight to the console's local cloud with the SDK (16 MB parts, 2 at a time).
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${running.cloudPort}`, region: "us-east-1", forcePathStyle: true, credentials: await localCredentials(running, "org-a") });
    await s3.send(new CreateBucketCommand({ Bucket: "bench-direct" }));
    const sdkMemory = watchMemory(running.processGroup);
    const sdkStart = process.hrtime.bigint();
    await new Upload({ client: s3, params: { Bucket: "bench-direct", Key: "customers.csv", Body: fs.createReadStream(file, { highWaterMark: MB }) }, partSize: 16 * MB, queueSize: 2 }).done();
    const sdkSeconds = Number(process.hrtime.bigint() - sdkStart) / 1e9;
    const sdkGrowthMb = sdkMemory.stop();
    return { sizeMb: size / MB, browser: { mbPerSecond: size / MB / browserSeconds, growthMb: browserGrowthMb }, sdk: { mbPerSecond: size / MB / sdkSeconds, growthMb: sdkGrowthMb } };
  } finally {
    await browser.close();
    await running.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Run alone: npx tsx scripts/bench/browser-upload.ts [size in GB]
if (process.argv[1]?.endsWith("browser-upload.ts")) {
  browserUpload({ sizeGb: Number(process.argv[2] ?? 1) }).then(
    (result) => console.log(JSON.stringify(result)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
