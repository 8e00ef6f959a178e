import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { dataDir } from "@/server/config";

/**
 * A server secret taken from the environment, or generated once and kept in DATA_DIR (mode 0600)
 * so the quick start needs no configuration and the secret survives restarts.
 */
export function ensureServerSecret({ envVar, fileName }: { envVar: string; fileName: string }): string {
  const fromEnv = process.env[envVar]?.trim();
  if (fromEnv) return fromEnv;
  const file = path.join(dataDir(), fileName);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let secret: string;
  try {
    secret = randomBytes(32).toString("base64url");
    fs.writeFileSync(file, secret, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    secret = fs.readFileSync(file, "utf8").trim();
  }
  process.env[envVar] = secret;
  return secret;
}
