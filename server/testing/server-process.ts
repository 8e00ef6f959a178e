import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import type { LocalCredentials } from "@/server/local-keys/credentials";

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServerProcess {
  endpoint: string;
  /** The demo organizations' local cloud credentials, by slug (none when nothing was seeded). */
  credentials: Partial<Record<"org-a" | "org-b", LocalCredentials>>;
  /** Ends the process abruptly (SIGKILL), as a crash or a power cut would. */
  crash(): Promise<void>;
  /** Asks the process to stop (SIGTERM) and waits until it has. */
  stop(): Promise<void>;
}

/**
 * Starts the server's boot (`server/boot.ts`) in a new Node process with `env` over the test's
 * own environment, and resolves once the local cloud answers on its port.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", path.join("server", "testing", "boot-child.ts")], {
    // The demo's organizations and users, without its data, unless a test asks for it.
    env: { ...process.env, DATABASE_URL: "", LOG_LEVEL: "warn", SEED_DEMO_CUSTOMERS: "0", ...env, LOCAL_CLOUD_PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const credentials = await new Promise<ServerProcess["credentials"]>((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const ready = /^ready (.*)\n/m.exec(stdout);
      if (ready) resolve(JSON.parse(ready[1]!) as ServerProcess["credentials"]);
    });
    child.once("exit", (code) => reject(new Error(`the server process exited (${code}) before it was ready:\n${stderr}`)));
  });
  const ended = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill(signal);
    });
  };
  return { endpoint: `http://127.0.0.1:${port}`, credentials, crash: ended("SIGKILL"), stop: ended("SIGTERM") };
}
