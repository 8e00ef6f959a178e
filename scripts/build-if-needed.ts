import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

// Rebuild only when a file that goes into the build changed: a restart with nothing changed
// skips `next build` entirely.
const inputs = ["app", "components", "lib", "server", "public", "instrumentation.ts", "next.config.js", "tailwind.config.ts", "postcss.config.mjs", "tsconfig.json", "package-lock.json"];
const stampFile = path.join(".next", "source-fingerprint");

function* files(entry: string): Generator<string> {
  if (!fs.existsSync(entry)) return;
  if (!fs.statSync(entry).isDirectory()) {
    yield entry;
    return;
  }
  for (const name of fs.readdirSync(entry).sort()) {
    if (name.endsWith(".test.ts") || name.endsWith(".test.tsx")) continue;
    yield* files(path.join(entry, name));
  }
}

export function sourceFingerprint(): string {
  const hash = createHash("sha256");
  for (const input of inputs) {
    for (const file of files(input)) hash.update(file).update("\0").update(fs.readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

export function buildIfNeeded(): void {
  const fingerprint = sourceFingerprint();
  const built = fs.existsSync(path.join(".next", "BUILD_ID")) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === fingerprint;
  if (built) return;
  console.log("Building the console (first start, or sources changed)…");
  const result = spawnSync(process.execPath, [path.join("node_modules", "next", "dist", "bin", "next"), "build"], {
    stdio: "inherit",
    env: { ...process.env, NODE_ENV: "production", NEXT_TELEMETRY_DISABLED: "1" },
  });
  if (result.status !== 0) throw new Error(`next build failed (exit code ${result.status ?? result.signal}).`);
  fs.writeFileSync(stampFile, fingerprint);
}
