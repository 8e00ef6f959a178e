import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";

// The local cloud alone (`npm run local-cloud`) in a process of its own, with a store of its own,
// as another "AWS" beside a test's: for a console in aws mode (e2e) and for promoting a
// collaboration into a fresh cloud under other accounts.

export interface CloudProcess {
  endpoint: string;
  /** An access key for each account asked for. */
  keys: Record<string, { accessKeyId: string; secretAccessKey: string }>;
  stop(): void;
}

export async function startCloudProcess(accounts: string[], port = 0): Promise<CloudProcess> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-cloud-process-"));
  const child = spawn(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/local-cloud.ts", "--keys", accounts.join(",")], {
    env: { ...process.env, DATA_DIR: dir, LOCAL_CLOUD_PORT: String(port), LOG_LEVEL: "warn", DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
    // Its own process group: stopping it stops tsx's child too.
    detached: true,
  });
  const line = await new Promise<string>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on("line", (text) => text.includes('"keys"') && resolve(text));
    child.once("exit", (code) => reject(new Error(`the local cloud exited with ${code}`)));
  });
  const { endpoint, keys } = JSON.parse(line) as Pick<CloudProcess, "endpoint" | "keys">;
  return {
    endpoint,
    keys,
    stop() {
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
