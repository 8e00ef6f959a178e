// The server's real start (migrations, the demo seed unless SEED_DEMO=false, the local cloud's
// sweeps and recoveries) in a process of its own, without the console's pages: restart tests
// run it, stop it and run it again on the same DATA_DIR. When ready it prints one line, `ready`
// and the local cloud credentials of the demo organizations that exist, as JSON.
import { boot } from "@/server/boot";
import { credentialsForOrganization } from "@/server/local-keys/credentials";

async function main() {
  await boot();
  const credentials = Object.fromEntries((await Promise.all(["org-a", "org-b"].map(async (slug) => [slug, await credentialsForOrganization(slug)] as const))).filter(([, found]) => found));
  process.stdout.write(`ready ${JSON.stringify(credentials)}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`boot failed: ${error.message}\n`);
  process.exit(1);
});
