import "server-only";
import { CleanRoomsClient } from "@aws-sdk/client-cleanrooms";
import { GlueClient } from "@aws-sdk/client-glue";
import { QuickSightClient } from "@aws-sdk/client-quicksight";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { AppError } from "@/lib/errors";
import { cleanroomsMode, localCloudEndpoint, localCloudRegion } from "@/server/config";
import { accessKeyForAccount } from "@/server/local-keys/access-keys";
import { awsAccessForAccount } from "@/server/organizations/aws-access";
import { assumedRoleCredentials, requireServerAccount, type AwsCredentialIdentity, type AwsCredentialIdentityProvider } from "./credentials";

// The one place the console builds AWS SDK clients. Each organization acts as its own AWS
// account: in local mode with its local-cloud keys (read from the store on the server, never sent
// to a browser) against the local endpoint; in aws mode with the credentials its admin chose on
// the Settings page (a role it trusts the console to assume, or the server's own credentials when
// they are the organization's account), against AWS or whatever AWS_ENDPOINT_URL names. Every
// server action that touches Clean Rooms, Glue or S3 goes through here, so both modes share one path.

export interface AwsClients {
  accountId: string;
  region: string;
  s3: S3Client;
  glue: GlueClient;
  cleanrooms: CleanRoomsClient;
  sts: STSClient;
  quicksight: QuickSightClient;
}

/** The organization a client acts for: its AWS account. */
export interface AwsPrincipal {
  awsAccountId: string;
}

interface ClientConfig {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts: number;
}

function clientsOf(accountId: string, config: ClientConfig, pathStyle: boolean): AwsClients {
  return {
    accountId,
    region: config.region,
    s3: new S3Client({ ...config, forcePathStyle: pathStyle }),
    glue: new GlueClient(config),
    cleanrooms: new CleanRoomsClient(config),
    sts: new STSClient(config),
    quicksight: new QuickSightClient(config),
  };
}

/** Where the SDK sends requests when told to (AWS_ENDPOINT_URL): an S3 there needs path-style addresses. */
const customEndpoint = () => Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3);

/** The credentials an organization's clients sign with in aws mode, and its region. */
export async function awsModeAccess(accountId: string): Promise<{ region: string; credentials?: AwsCredentialIdentityProvider }> {
  const found = await awsAccessForAccount(accountId);
  if (!found) throw new AppError("not_found", "No organization is this AWS account.");
  const { access } = found;
  if (access.credentialSource === "default_chain") {
    await requireServerAccount(accountId, access.region);
    return { region: access.region };
  }
  if (!access.roleArn) {
    throw new AppError("invalid", "Your organization's AWS access is not set up yet: an admin chooses the role the console assumes on the Settings page.");
  }
  return { region: access.region, credentials: assumedRoleCredentials({ roleArn: access.roleArn, externalId: access.externalId, region: access.region }) };
}

export async function awsClientsFor(principal: AwsPrincipal): Promise<AwsClients> {
  if (cleanroomsMode() === "aws") {
    const { region, credentials } = await awsModeAccess(principal.awsAccountId);
    // AWS throttles bursts; the SDK's standard retries back off and retry throttled calls.
    return clientsOf(principal.awsAccountId, { region, ...(credentials ? { credentials } : {}), maxAttempts: 5 }, customEndpoint());
  }
  const key = await accessKeyForAccount({ accountId: principal.awsAccountId });
  // The local cloud answers at once: one retry covers a dropped connection, no more.
  const config = { region: localCloudRegion(), endpoint: localCloudEndpoint(), credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey }, maxAttempts: 2 };
  return clientsOf(principal.awsAccountId, config, true);
}
