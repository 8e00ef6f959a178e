// npm run -s credentials -- <org-slug>: prints export lines that point the AWS CLI and SDKs at the
// local cloud as that organization:  eval "$(npm run -s credentials -- org-a)"
import { credentialsForOrganization, exportLines, type LocalCredentials } from "../server/local-keys/credentials";
import { operatorToken } from "../server/operator";

async function fromRunningServer(slug: string): Promise<LocalCredentials | null | undefined> {
  const port = Number(process.env.PORT || 3000);
  let response: Response;
  try {
    response = await fetch(`http://127.0.0.1:${port}/api/operator/credentials?org=${encodeURIComponent(slug)}`, {
      headers: { Authorization: `Bearer ${operatorToken(slug)}` },
    });
  } catch {
    return null; // not running: read the store directly
  }
  if (response.status === 404) return undefined;
  if (!response.ok) throw new Error(`the running console refused (${response.status}); is DATA_DIR the one it uses?`);
  return (await response.json()) as LocalCredentials;
}

async function main() {
  const slug = process.argv[2];
  if (!slug) {
    console.error("usage: npm run -s credentials -- <org-slug>   (for example org-a)");
    process.exit(2);
  }
  // The embedded database may be open in the running console; ask it first.
  let credentials = await fromRunningServer(slug);
  if (credentials === null) {
    credentials = await credentialsForOrganization(slug);
    const { getDatabase } = await import("../server/db/client");
    await (await getDatabase()).close();
  }
  if (!credentials) {
    console.error(`No organization with the slug "${slug}".`);
    process.exit(1);
  }
  console.log(exportLines(credentials));
}

main().catch((error: Error) => {
  console.error(`credentials: ${error.message}`);
  process.exit(1);
});
