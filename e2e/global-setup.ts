import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts the console exactly as `npm start` does, on its own ports and data directory. */
export default async function globalSetup() {
  const [port, cloudPort] = [await freePort(), await freePort()];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-e2e-"));
  const logFile = path.join(dataDir, "server.log");
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/start.ts"], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOCAL_CLOUD_PORT: String(cloudPort), DATA_DIR: dataDir, SEED_DEMO: "true" },
    stdio: ["ignore", out, out],
    detached: true,
  });
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5 * 60_000; // includes a first build
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the console did not start:\n${fs.readFileSync(logFile, "utf8")}`);
    const healthy = await fetch(`${baseURL}/api/health`).then((r) => r.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`the console was not healthy in time:\n${fs.readFileSync(logFile, "utf8")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  process.env.E2E_BASE_URL = baseURL;
  process.env.E2E_DATA_DIR = dataDir;
  return async () => {
    try {
      process.kill(-child.pid!, "SIGTERM");
    } catch {
      // already gone
    }
    await new Promise((r) => setTimeout(r, 500));
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
