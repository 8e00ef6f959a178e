import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { startAwsWorld } from "./aws-mode";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunningConsole {
  baseURL: string;
  /** The process group of the console's processes (the start script, Next.js and the local cloud in it). */
  processGroup: number;
  port: number;
  cloudPort: number;
  dataDir: string;
  /** What the console was started with beyond this process's environment (a second instance reuses it). */
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The suite's mode: E2E_MODE=aws runs the same specs against a console in aws mode (e2e/aws-mode.ts). */
export const e2eMode = (): "local" | "aws" => (process.env.E2E_MODE === "aws" ? "aws" : "local");

/**
 * Starts the console exactly as `npm start` does, on free ports with a throwaway data directory.
 * `prepare` runs first, with the data directory and the store's URL (empty for the embedded one),
 * for a spec that needs something in the store. In aws mode the console keeps its metadata in a
 * PostgreSQL database of its own and reaches "AWS" (a local cloud in another process) through
 * AWS_ENDPOINT_URL, each organization through the role it created for the console.
 */
export async function startConsole(env: Record<string, string> = {}, prepare?: (dataDir: string, store: { DATABASE_URL: string }) => Promise<void>): Promise<RunningConsole> {
  const [port, cloudPort] = [await freePort(), await freePort()];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-e2e-"));
  const world = e2eMode() === "aws" && !env.DATABASE_URL ? await startAwsWorld(cloudPort) : undefined;
  env = { ...world?.env, ...env };
  await prepare?.(dataDir, { DATABASE_URL: env.DATABASE_URL ?? "" });
  const logFile = path.join(dataDir, "server.log");
  const out = fs.openSync(logFile, "a");
  const child = spawn(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/start.ts"], {
    // The demo's data only for a spec that asks (SEED_DEMO_CUSTOMERS): the others start from organizations and users.
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOCAL_CLOUD_PORT: String(cloudPort), DATA_DIR: dataDir, SEED_DEMO_CUSTOMERS: "0", ...env },
    stdio: ["ignore", out, out],
    detached: true,
  });
  const baseURL = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5 * 60_000; // includes a first build
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the console did not start:\n${fs.readFileSync(logFile, "utf8")}`);
    if (
      await fetch(`${baseURL}/api/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    if (Date.now() > deadline) throw new Error(`the console was not healthy in time:\n${fs.readFileSync(logFile, "utf8")}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  await world?.configureOrganizations();
  return {
    baseURL,
    processGroup: child.pid!,
    port,
    cloudPort,
    dataDir,
    env,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      try {
        process.kill(-child.pid!, "SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      } catch {
        // already gone
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
      await world?.stop();
    },
  };
}

/** An organization's local cloud credentials, as `npm run credentials` prints them for a running console. */
export async function localCredentials(running: RunningConsole, organization: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const env = { ...process.env, PORT: String(running.port), DATA_DIR: running.dataDir };
  const { stdout } = await promisify(execFile)(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/credentials.ts", organization], { env });
  const exported = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  return { accessKeyId: exported.AWS_ACCESS_KEY_ID!, secretAccessKey: exported.AWS_SECRET_ACCESS_KEY! };
}
