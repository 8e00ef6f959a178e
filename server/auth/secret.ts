import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { dataDir, isProduction, seedDemoEnabled } from "@/server/config";

/**
 * The key that signs session cookies. Taken from AUTH_SECRET; otherwise generated once and kept
 * in DATA_DIR (mode 0600) so the quick start needs no configuration and sessions survive restarts.
 * A production deployment without demo data must set it explicitly.
 */
export function ensureAuthSecret(): string {
  const fromEnv = process.env.AUTH_SECRET?.trim();
  if (fromEnv) return fromEnv;
  if (isProduction() && !seedDemoEnabled()) {
    throw new Error(
      "AUTH_SECRET is not set. With NODE_ENV=production and SEED_DEMO=false the console will not invent one: " +
        "set AUTH_SECRET to a random value of at least 32 characters (for example `openssl rand -base64 32`).",
    );
  }
  const file = path.join(dataDir(), "auth-secret");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let secret: string;
  try {
    secret = randomBytes(32).toString("base64url");
    fs.writeFileSync(file, secret, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    secret = fs.readFileSync(file, "utf8").trim();
  }
  process.env.AUTH_SECRET = secret;
  return secret;
}
