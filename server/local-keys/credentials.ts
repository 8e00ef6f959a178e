import { localCloudEndpoint, localCloudRegion } from "@/server/config";
import { getOrganizationBySlug } from "@/server/organizations/store";
import { accessKeyForAccount } from "./access-keys";

export interface LocalCredentials {
  accountId: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  endpoint: string;
}

/** The local cloud credentials of an organization, or undefined when there is no such slug. */
export async function credentialsForOrganization(slug: string): Promise<LocalCredentials | undefined> {
  const organization = await getOrganizationBySlug({ slug });
  if (!organization) return undefined;
  const key = await accessKeyForAccount({ accountId: organization.awsAccountId });
  return { accountId: organization.awsAccountId, accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, region: localCloudRegion(), endpoint: localCloudEndpoint() };
}

const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

export function exportLines(credentials: LocalCredentials): string {
  return [
    `export AWS_ACCESS_KEY_ID=${shellQuote(credentials.accessKeyId)}`,
    `export AWS_SECRET_ACCESS_KEY=${shellQuote(credentials.secretAccessKey)}`,
    `export AWS_REGION=${shellQuote(credentials.region)}`,
    `export AWS_DEFAULT_REGION=${shellQuote(credentials.region)}`,
    `export AWS_ENDPOINT_URL=${shellQuote(credentials.endpoint)}`,
  ].join("\n");
}
