// npm run local-cloud: the local cloud alone, without the console, for the AWS CLI, SDKs, and a
// console in aws mode pointed at it with AWS_ENDPOINT_URL (docs/deploy-aws.md). It keeps its own
// store under DATA_DIR (default ./.data-cloud) and listens on LOCAL_CLOUD_PORT (default 4566).
//   npm run -s local-cloud -- --keys 111111111111,222222222222
// prints, once listening, one JSON line: the endpoint and an access key for each account named.
import path from "node:path";

process.env.DATA_DIR ||= path.resolve(".data-cloud");

async function main() {
  const wanted = process.argv.indexOf("--keys");
  const accounts = wanted === -1 ? [] : (process.argv[wanted + 1] ?? "").split(",").filter(Boolean);
  const bad = accounts.find((a) => !/^\d{12}$/.test(a));
  if (bad) throw new Error(`--keys takes 12-digit account ids separated by commas; "${bad}" is not one.`);
  const { getDatabase } = await import("../server/db/client");
  const { ensureLocalCloud } = await import("../server/local-cloud");
  const { accessKeyForAccount } = await import("../server/local-keys/access-keys");
  await getDatabase();
  const cloud = await ensureLocalCloud();
  const keys = Object.fromEntries(
    await Promise.all(
      accounts.map(async (accountId) => {
        const key = await accessKeyForAccount({ accountId });
        return [accountId, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }] as const;
      }),
    ),
  );
  console.log(JSON.stringify({ endpoint: `http://127.0.0.1:${cloud.port}`, keys }));
}

for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(0));
main().catch((error: Error) => {
  console.error(`local-cloud: ${error.message}`);
  process.exit(1);
});
