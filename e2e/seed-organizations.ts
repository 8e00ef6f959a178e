// Creates the two organizations and their users (and nothing else) in DATA_DIR's embedded store
// (or DATABASE_URL's), for a console then started with SEED_DEMO=false on that store.
import path from "node:path";
import { openDatabase, setProcessDatabase } from "../server/db/client";
import { seedDemo } from "../server/seed/demo";

async function main() {
  await setProcessDatabase(await openDatabase({ url: process.env.DATABASE_URL || undefined, pgliteDir: path.join(process.env.DATA_DIR!, "pglite") }));
  await seedDemo();
  await setProcessDatabase(undefined);
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
