import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { DEMO_PASSWORD, expect, test } from "./fixtures";

// Each kind of bad file, fed to the upload form: the message says what is wrong, and nothing of it
// is left in the organization's bucket (no object, no version) or in its catalogue, as the AWS CLI
// sees them from outside the console.
const run = promisify(execFile);
const badFiles: { name: string; content: string | Buffer; message: string }[] = [
  { name: "empty.csv", content: "", message: "The file is empty." },
  { name: "header_only.csv", content: "a,b\n", message: "The file has a header but no rows of data." },
  { name: "no_header.csv", content: "1,2\n3,4\n", message: "The first row holds values, not column names." },
  { name: "ragged.csv", content: "a,b\n1,2\n3\n", message: "Row 3 has 1 field where the header has 2." },
  { name: "duplicate.csv", content: "id,Email,email\n1,x,y\n", message: 'The header names "email" twice (columns 2 and 3).' },
  { name: "blank.csv", content: "id,,x\n1,2,3\n", message: "Column 2 of the header row has no name." },
  { name: "latin1.csv", content: Buffer.from([0x61, 0x2c, 0x62, 0x0a, 0xe9, 0x2c, 0x31, 0x0a]), message: "The file is not UTF-8 text." },
  { name: "quote.csv", content: 'a,b\n1,"2\n', message: "a closing quote" },
  { name: "sheet.xlsx", content: "PK", message: "is not a CSV or Parquet file" },
  { name: "fake.parquet", content: "a,b\n1,2\n", message: "is not a Parquet file" },
  // The suite's console allows files of up to 1 MB (DATASET_MAX_BYTES in global-setup).
  { name: "big.csv", content: "a,b\n" + "1,2\n".repeat(300_000), message: "The file is larger than the 1.0 MB a dataset may hold." },
];

async function awsAs(slug: string) {
  const env = { ...process.env, PORT: process.env.E2E_PORT!, DATA_DIR: process.env.E2E_DATA_DIR! };
  const { stdout } = await run(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/credentials.ts", slug], { env });
  const exported = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  const awsEnv = { NODE_ENV: "test", PATH: process.env.PATH!, HOME: process.env.E2E_DATA_DIR!, ...exported } as NodeJS.ProcessEnv;
  return async (...args: string[]) => {
    const result = await run("aws", [...args, "--output", "json"], { env: awsEnv }).catch((error: { stderr: string }) => ({ stdout: "", stderr: error.stderr }));
    return { json: result.stdout ? (JSON.parse(result.stdout) as Record<string, unknown>) : null, stderr: "stderr" in result ? result.stderr : "" };
  };
}

test("each bad file is refused with what is wrong, and leaves nothing in the bucket or the catalogue", async ({ page, signInPage }) => {
  test.setTimeout(90_000);
  await signInPage.signIn("owner@org-a.example", DEMO_PASSWORD);
  await page.goto("/datasets");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-bad-"));
  for (const bad of badFiles) {
    const file = path.join(dir, bad.name);
    fs.writeFileSync(file, bad.content);
    await page.getByLabel("CSV or Parquet file").setInputFiles(file);
    await page.getByLabel("Dataset name (the catalogue table's name)").fill(bad.name.replace(/\..*/, ""));
    await page.getByRole("button", { name: "Upload" }).click();
    await expect(page.getByRole("main").getByRole("alert"), bad.name).toContainText(bad.message);
  }
  await page.reload();
  await expect(page.getByText("No datasets yet")).toBeVisible();

  const aws = await awsAs("org-a");
  const versions = await aws("s3api", "list-object-versions", "--bucket", "cleanrooms-data-111111111111", "--prefix", "datasets/");
  expect(versions.json?.Versions ?? [], versions.stderr).toEqual([]);
  expect(versions.json?.DeleteMarkers ?? []).toEqual([]);
  const uploads = await aws("s3api", "list-multipart-uploads", "--bucket", "cleanrooms-data-111111111111");
  expect(uploads.json?.Uploads ?? []).toEqual([]);
  const tables = await aws("glue", "get-tables", "--database-name", "cleanrooms_datasets");
  expect(tables.json?.TableList ?? []).toEqual([]);
});

test("cancelling an upload keeps nothing of it", async ({ page, signInPage }) => {
  test.setTimeout(60_000);
  await signInPage.signIn("owner@org-a.example", DEMO_PASSWORD);
  await page.goto("/datasets");
  // A slow uplink (64 KB/s), so that the upload is still under way when Cancel is pressed.
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 64 * 1024 });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "e2e-cancel-")), "slow.csv");
  fs.writeFileSync(file, "a,b\n" + "1,2\n".repeat(200_000));
  await page.getByLabel("CSV or Parquet file").setInputFiles(file);
  await page.getByLabel("Dataset name (the catalogue table's name)").fill("cancelled");
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("progressbar", { name: "Upload progress" })).toBeVisible();
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("main").getByRole("alert")).toHaveText("Upload cancelled; nothing was kept.");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

  const aws = await awsAs("org-a");
  await expect
    .poll(async () => {
      const [versions, uploads] = await Promise.all([
        aws("s3api", "list-object-versions", "--bucket", "cleanrooms-data-111111111111", "--prefix", "datasets/cancelled/"),
        aws("s3api", "list-multipart-uploads", "--bucket", "cleanrooms-data-111111111111"),
      ]);
      return [versions.json?.Versions ?? [], uploads.json?.Uploads ?? []];
    })
    .toEqual([[], []]);
  await page.reload();
  await expect(page.getByRole("link", { name: "cancelled" })).toHaveCount(0);
});
