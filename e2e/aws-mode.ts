import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { promisify } from "node:util";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateAccountSubscriptionCommand, QuickSightClient } from "@aws-sdk/client-quicksight";
import { createPostgresDatabase } from "../server/testing/postgres";

// The world a console in aws mode runs in during the e2e suite (E2E_MODE=aws): its metadata in a
// PostgreSQL database of its own, and "AWS" played by a local cloud in a separate process that
// the console reaches only through AWS_ENDPOINT_URL, with credentials of an account of its own.
// Each organization's admin role is set up as docs/deploy-aws.md tells an organization to: a role
// in its account whose trust policy names the console's account and the organization's external
// id (read with `npm run aws-access`, as an operator would), then the role's ARN given to the console.

const run = promisify(execFile);
const tsx = path.join("node_modules", "tsx", "dist", "cli.mjs");
export const consoleAccountId = "999999999999";
const organizationAccounts: Record<string, string> = { "org-a": "111111111111", "org-b": "222222222222" };

interface Key {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AwsWorld {
  /** The console's environment for aws mode. */
  env: Record<string, string>;
  /** Sets each existing organization's AWS access to a role it created for the console. */
  configureOrganizations(): Promise<void>;
  stop(): Promise<void>;
}

async function startCloud(port: number): Promise<{ child: ChildProcess; dir: string; endpoint: string; keys: Record<string, Key> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-aws-"));
  const child = spawn(process.execPath, [tsx, "scripts/local-cloud.ts", "--keys", [consoleAccountId, ...Object.values(organizationAccounts)].join(",")], {
    env: { ...process.env, DATA_DIR: dir, LOCAL_CLOUD_PORT: String(port), LOG_LEVEL: "warn", DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const line = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on("line", (text) => text.includes('"keys"') && resolve(text));
    child.once("exit", (code) => reject(new Error(`the local cloud exited with ${code}`)));
  });
  const { endpoint, keys } = JSON.parse(line) as { endpoint: string; keys: Record<string, Key> };
  return { child, dir, endpoint, keys };
}

export async function startAwsWorld(cloudPort: number): Promise<AwsWorld> {
  const database = await createPostgresDatabase();
  const cloud = await startCloud(cloudPort);
  const consoleKey = cloud.keys[consoleAccountId]!;
  const env = {
    CLEANROOMS_MODE: "aws",
    DATABASE_URL: database.url,
    AWS_ENDPOINT_URL: cloud.endpoint,
    AWS_ACCESS_KEY_ID: consoleKey.accessKeyId,
    AWS_SECRET_ACCESS_KEY: consoleKey.secretAccessKey,
    AWS_REGION: "us-east-1",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
  };
  return {
    env,
    async configureOrganizations() {
      for (const [slug, accountId] of Object.entries(organizationAccounts)) {
        const shown = await run(process.execPath, [tsx, "scripts/aws-access.ts", slug, "--json"], { env: { ...process.env, ...env } }).catch((error: { stderr?: string }) => {
          if (error.stderr?.includes("No organization with the slug")) return null; // not in this console's store
          throw error;
        });
        if (!shown) continue;
        const { trustPolicy } = JSON.parse(shown.stdout) as { trustPolicy: unknown };
        const iam = new IAMClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials: cloud.keys[accountId]! });
        const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "cleanrooms-console-access", AssumeRolePolicyDocument: JSON.stringify(trustPolicy) }));
        await run(process.execPath, [tsx, "scripts/aws-access.ts", slug, "--role-arn", Role!.Arn!], { env: { ...process.env, ...env } });
        // Each organization has subscribed to QuickSight, as its admin would in the QuickSight console.
        await new QuickSightClient({ endpoint: cloud.endpoint, region: "us-east-1", credentials: cloud.keys[accountId]! }).send(
          new CreateAccountSubscriptionCommand({
            AwsAccountId: accountId,
            AccountName: slug,
            NotificationEmail: `admin@${slug}.example`,
            Edition: "STANDARD",
            AuthenticationMethod: "IAM_AND_QUICKSIGHT",
          }),
        );
      }
    },
    async stop() {
      try {
        process.kill(-cloud.child.pid!, "SIGTERM");
      } catch {
        // already gone
      }
      await database.drop();
      fs.rmSync(cloud.dir, { recursive: true, force: true });
    },
  };
}
