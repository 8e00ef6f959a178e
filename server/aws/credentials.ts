import "server-only";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { AppError } from "@/lib/errors";
import { appErrorOf } from "./errors";

// Credentials for an organization in aws mode. Assumed-role credentials are cached per role and
// external id and renewed five minutes before they expire, so a page's dozen SDK calls make one
// AssumeRole an hour, not a dozen. The cache holds nothing another console instance needs: each
// instance assumes the role itself. The server's own credentials come from the SDK's default chain
// (environment, shared files, SSO, container or instance role); AWS_ENDPOINT_URL is honoured by the
// SDK, which is how the console is pointed at the local cloud.

export interface AwsCredentialIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** What an SDK client's `credentials` accepts: called whenever it signs, so it must be cheap. */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

const RENEW_BEFORE_MS = 5 * 60 * 1000;
const SESSION_SECONDS = 3600;

interface Cached {
  renewAt: number;
  credentials: Promise<AwsCredentialIdentity>;
}

const assumed = new Map<string, Cached>();
const servers = new Map<string, STSClient>();

/** The STS client signed with the server's own credentials (the default chain), per region. */
export function serverSts(region: string): STSClient {
  let client = servers.get(region);
  if (!client) servers.set(region, (client = new STSClient({ region, maxAttempts: 5 })));
  return client;
}

export interface RoleToAssume {
  roleArn: string;
  externalId: string;
  region: string;
}

async function assume({ roleArn, externalId, region }: RoleToAssume): Promise<AwsCredentialIdentity> {
  try {
    const { Credentials: c } = await serverSts(region).send(
      new AssumeRoleCommand({ RoleArn: roleArn, ExternalId: externalId, RoleSessionName: "cleanrooms-console", DurationSeconds: SESSION_SECONDS }),
    );
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error("AssumeRole answered without credentials");
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  } catch (error) {
    const reason = appErrorOf(error, {}, "Assuming your organization's role");
    throw new AppError(reason.code === "rate_limited" ? "rate_limited" : "forbidden", `The console could not assume ${roleArn}: ${reason.message} Check the role's trust policy on the Settings page.`);
  }
}

/** A provider of the role's temporary credentials, shared by every client of the organization. */
export function assumedRoleCredentials(role: RoleToAssume): AwsCredentialIdentityProvider {
  const key = [role.roleArn, role.externalId, role.region].join("\u0000");
  return async () => {
    const cached = assumed.get(key);
    if (cached && Date.now() < cached.renewAt) return cached.credentials;
    // One AssumeRole at a time per role: callers that arrive meanwhile share it.
    const entry: Cached = { renewAt: Number.POSITIVE_INFINITY, credentials: assume(role) };
    assumed.set(key, entry);
    entry.credentials.then(
      (c) => (entry.renewAt = (c.expiration?.getTime() ?? Date.now() + SESSION_SECONDS * 1000) - RENEW_BEFORE_MS),
      () => assumed.get(key) === entry && assumed.delete(key),
    );
    return entry.credentials;
  };
}

const serverAccounts = new Map<string, Promise<string>>();

/** The account the server's own credentials belong to (read once per region and process). */
export function serverAccount(region: string): Promise<string> {
  let account = serverAccounts.get(region);
  if (!account) {
    account = serverSts(region)
      .send(new GetCallerIdentityCommand({}))
      .then((identity) => identity.Account!);
    account.catch(() => serverAccounts.delete(region));
    serverAccounts.set(region, account);
  }
  return account;
}

/**
 * The server's own credentials may act only for the account they belong to: an organization that
 * chose them is refused unless that account is its own, so one organization can never act in
 * another's account through the server's credentials.
 */
export async function requireServerAccount(accountId: string, region: string): Promise<void> {
  const account = await serverAccount(region).catch((error: unknown) => {
    throw new AppError("invalid", `The console server has no AWS credentials of its own that work (${appErrorOf(error, {}, "Reading them").message}) Choose "Assume a role" on the Settings page.`);
  });
  if (account !== accountId) {
    throw new AppError("forbidden", `The console server's own credentials belong to account ${account}, not to your organization's account ${accountId}. Choose "Assume a role" on the Settings page.`);
  }
}
