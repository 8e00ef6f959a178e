import "server-only";
import { CleanRoomsClient } from "@aws-sdk/client-cleanrooms";
import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { AppError } from "@/lib/errors";
import { cleanroomsMode, localCloudEndpoint, localCloudRegion } from "@/server/config";
import { accessKeyForAccount } from "@/server/local-keys/access-keys";

// The one place the console builds AWS SDK clients. Each organization acts as its own AWS
// account: in local mode with its local-cloud keys (read from the store on the server, never sent
// to a browser) against the local endpoint; in aws mode against AWS itself. Every server action
// that touches Clean Rooms, Glue or S3 goes through here, so both modes share one code path.

export interface AwsClients {
  accountId: string;
  region: string;
  s3: S3Client;
  glue: GlueClient;
  cleanrooms: CleanRoomsClient;
  sts: STSClient;
}

/** The organization a client acts for: its AWS account. */
export interface AwsPrincipal {
  awsAccountId: string;
}

export async function awsClientsFor(principal: AwsPrincipal): Promise<AwsClients> {
  if (cleanroomsMode() === "aws") {
    // Each organization needs credentials of its own account; until they can be configured, the
    // console refuses rather than act for every organization with one set of credentials.
    throw new AppError("invalid", "AWS mode needs each organization's AWS credentials, which cannot be configured yet. Run with CLEANROOMS_MODE=local.");
  }
  const key = await accessKeyForAccount({ accountId: principal.awsAccountId });
  const region = localCloudRegion();
  const config = {
    region,
    endpoint: localCloudEndpoint(),
    credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey },
    // The local cloud answers at once: one retry covers a dropped connection, no more.
    maxAttempts: 2,
  };
  return {
    accountId: principal.awsAccountId,
    region,
    s3: new S3Client({ ...config, forcePathStyle: true }),
    glue: new GlueClient(config),
    cleanrooms: new CleanRoomsClient(config),
    sts: new STSClient(config),
  };
}
