import { isProduction, seedDemoEnabled } from "@/server/config";
import { ensureServerSecret } from "@/server/secrets";

/**
 * The key that signs session cookies: AUTH_SECRET, or one generated into DATA_DIR. A production
 * deployment without demo data must set it explicitly.
 */
export function ensureAuthSecret(): string {
  if (!process.env.AUTH_SECRET?.trim() && isProduction() && !seedDemoEnabled()) {
    throw new Error(
      "AUTH_SECRET is not set. With NODE_ENV=production and SEED_DEMO=false the console will not invent one: " +
        "set AUTH_SECRET to a random value of at least 32 characters (for example `openssl rand -base64 32`).",
    );
  }
  return ensureServerSecret({ envVar: "AUTH_SECRET", fileName: "auth-secret" });
}
