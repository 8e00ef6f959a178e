import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateAccountSubscriptionCommand, QuickSightClient } from "@aws-sdk/client-quicksight";
import { startCloudProcess } from "../server/testing/cloud-process";
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

export interface AwsWorld {
  /** The console's environment for aws mode. */
  env: Record<string, string>;
  /** Sets each existing organization's AWS access to a role it created for the console. */
  configureOrganizations(): Promise<void>;
  stop(): Promise<void>;
}

export async function startAwsWorld(cloudPort: number): Promise<AwsWorld> {
  const database = await createPostgresDatabase();
  const cloud = await startCloudProcess([consoleAccountId, ...Object.values(organizationAccounts)], cloudPort);
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
      cloud.stop();
      await database.drop();
    },
  };
}
