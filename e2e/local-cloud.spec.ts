import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { expect, test } from "./fixtures";

const run = promisify(execFile);

// npm start serves the local cloud beside the console; `npm run credentials` hands out an
// organization's keys, and the AWS CLI then talks to it as that organization.
test("the credentials command points the AWS CLI at the local cloud as an organization", async () => {
  const env = { ...process.env, PORT: process.env.E2E_PORT!, DATA_DIR: process.env.E2E_DATA_DIR! };
  const { stdout } = await run(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/credentials.ts", "org-b"], { env });
  const exported = Object.fromEntries([...stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  expect(Object.keys(exported).sort()).toEqual(["AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_REGION", "AWS_SECRET_ACCESS_KEY"]);
  const awsEnv = { NODE_ENV: "test", PATH: process.env.PATH!, HOME: process.env.E2E_DATA_DIR!, ...exported } as NodeJS.ProcessEnv;
  const identity = await run("aws", ["sts", "get-caller-identity", "--output", "json"], { env: awsEnv });
  expect(JSON.parse(identity.stdout)).toMatchObject({ Account: "222222222222" });
  await run("aws", ["s3", "mb", "s3://org-b-e2e"], { env: awsEnv });
  const listed = await run("aws", ["s3api", "list-buckets", "--query", "Buckets[].Name", "--output", "json"], { env: awsEnv });
  expect(JSON.parse(listed.stdout)).toEqual(["org-b-e2e"]);

  const unknown = await run(process.execPath, [path.join("node_modules", "tsx", "dist", "cli.mjs"), "scripts/credentials.ts", "org-z"], { env }).catch(
    (error: { code: number; stderr: string }) => error,
  );
  expect(unknown).toMatchObject({ code: 1, stderr: expect.stringContaining('No organization with the slug "org-z"') });
});
