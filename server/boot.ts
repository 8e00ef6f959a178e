import { cleanroomsMode, seedDemoEnabled } from "./config";
import { ensureLocalCloud } from "./local-cloud";
import { getDatabase } from "./db/client";
import { ensureAuthSecret } from "./auth/secret";
import { seedDemo } from "./seed/demo";
import { log } from "./log";

/** Runs once when the server process starts, before it answers any request. */
export async function boot(): Promise<void> {
  ensureAuthSecret();
  const { kind } = await getDatabase();
  if (seedDemoEnabled()) await seedDemo();
  log("info", "metadata store ready", { db: kind });
  if (cleanroomsMode() === "local") await ensureLocalCloud();
}
