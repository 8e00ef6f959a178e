import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import readline from "node:readline";
import { serverNodeFlags } from "../node-flags";

export interface Child<T> {
  process: ChildProcess;
  info: T;
  /** The JSON lines the child printed after its first, as they came. */
  messages: unknown[];
  /** Resident memory now, and its peak since the last resetPeak (Linux /proc), in bytes. */
  memory(): { rss: number; peak: number };
  /** Starts a new peak measurement from the current resident size. */
  resetPeak(): void;
  stop(): void;
}

/** Starts a TypeScript script in its own Node process and reads the JSON line it prints. */
export async function startChild<T>(script: string, env: Record<string, string> = {}): Promise<Child<T>> {
  // tsx as a loader in this very process (its CLI would start another one, whose memory we
  // would then not see).
  // BENCH_CPU_PROF=<dir> writes each child's V8 CPU profile there when it stops (see docs/benchmarks.md).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF] : [];
  const child = spawn(process.execPath, [...serverNodeFlags, ...profile, "--import", "tsx", script], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  const messages: unknown[] = [];
  const line = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once("line", (first) => {
      lines.on("line", (next) => messages.push(JSON.parse(next)));
      resolve(first);
    });
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  const field = (name: string) => {
    const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
    return Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  };
  return {
    process: child,
    info: JSON.parse(line) as T,
    messages,
    memory: () => ({ rss: field("VmRSS"), peak: field("VmHWM") }),
    // Writing 5 to clear_refs resets the kernel's peak resident size (VmHWM) to the current one.
    resetPeak: () => fs.writeFileSync(`/proc/${child.pid}/clear_refs`, "5"),
    stop: () => child.kill("SIGTERM"),
  };
}
