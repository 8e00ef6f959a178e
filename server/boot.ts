import { cleanroomsMode, databaseUrl, seedDemoEnabled } from "./config";
import { ensureLocalCloud } from "./local-cloud";
import { getDatabase } from "./db/client";
import { ensureAuthSecret } from "./auth/secret";
import { seedDemo } from "./seed/demo";
import { demoCustomers } from "./seed/demo-data";
import { log } from "./log";

/** Runs once when the server process starts, before it answers any request. */
export async function boot(): Promise<void> {
  ensureAuthSecret();
  // aws mode is for real collaborations, run as one or several instances: their metadata belongs
  // in PostgreSQL, which every instance shares and which outlives any one machine.
  if (cleanroomsMode() === "aws" && !databaseUrl()) {
    throw new Error("CLEANROOMS_MODE=aws keeps the console's metadata in PostgreSQL: set DATABASE_URL (docs/deploy-aws.md).");
  }
  const { kind } = await getDatabase();
  const seeded = seedDemoEnabled() && (await seedDemo());
  log("info", "metadata store ready", { db: kind });
  if (cleanroomsMode() === "local") {
    await ensureLocalCloud();
    // A new demo gets its data once, through the console's own calls to the local cloud. Should
    // that fail, the console still starts, with the organizations and their users.
    // (Loaded only then: it uses the console's server-only modules, which a bare Node process
    // running this boot, as the restart tests do, cannot load.)
    if (seeded && demoCustomers() > 0) {
      const { seedDemoCollaboration } = await import("./seed/demo-collaboration");
      await seedDemoCollaboration().catch((error: unknown) => log("error", "the demo collaboration could not be seeded", { error }));
    }
  }
}
