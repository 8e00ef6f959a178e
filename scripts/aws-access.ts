// npm run -s aws-access -- <org-slug> [--role-arn <arn> | --default-chain] [--region <code>] [--json]
// Shows, or sets, how the console reaches an organization's AWS account in aws mode: what an admin
// does on the Settings page, for operators who provision organizations from scripts. Without an
// option it prints the settings, the external id and the trust policy the organization's role
// needs. It writes to the metadata store directly: use it with DATABASE_URL (PostgreSQL), or with
// the console stopped when the store is the embedded one.
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { awsAccessSchema } from "../lib/aws-access";
import { consoleTrustPolicy, roleNames } from "../lib/iam-policies";

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at === -1 ? undefined : process.argv[at + 1];
}

async function consoleAccount(region: string): Promise<string | null> {
  return new STSClient({ region })
    .send(new GetCallerIdentityCommand({}))
    .then((identity) => identity.Account ?? null)
    .catch(() => null);
}

async function main() {
  const slug = process.argv[2];
  if (!slug || slug.startsWith("--")) {
    console.error("usage: npm run -s aws-access -- <org-slug> [--role-arn <arn> | --default-chain] [--region <code>] [--json]");
    process.exit(2);
  }
  const { getOrganizationBySlug } = await import("../server/organizations/store");
  const { awsAccessOf, updateAwsAccess } = await import("../server/organizations/aws-access");
  const { getDatabase } = await import("../server/db/client");
  try {
    const organization = await getOrganizationBySlug({ slug });
    if (!organization) throw new Error(`No organization with the slug "${slug}".`);
    let access = await awsAccessOf(organization.id);
    const roleArn = option("--role-arn");
    const defaultChain = process.argv.includes("--default-chain");
    if (roleArn !== undefined || defaultChain || option("--region") !== undefined) {
      const input = { credentialSource: defaultChain ? "default_chain" : "assume_role", roleArn: roleArn ?? access.roleArn ?? "", region: option("--region") ?? access.region };
      const checked = awsAccessSchema(organization.awsAccountId).safeParse(input);
      if (!checked.success) throw new Error(checked.error.issues.map((i) => i.message).join(" "));
      access = await updateAwsAccess(organization.id, checked.data);
    }
    const account = await consoleAccount(access.region);
    const trustPolicy = consoleTrustPolicy({ accountId: account ?? "<the console's AWS account id>", externalId: access.externalId });
    const shown = {
      organization: slug,
      accountId: organization.awsAccountId,
      credentialSource: access.credentialSource,
      roleArn: access.roleArn,
      region: access.region,
      externalId: access.externalId,
      trustPolicy,
    };
    if (process.argv.includes("--json")) console.log(JSON.stringify(shown));
    else {
      console.log(
        `${slug} (account ${organization.awsAccountId}): ${access.credentialSource === "default_chain" ? "the server's own credentials" : `assumes ${access.roleArn ?? "(no role yet)"}`} in ${access.region}`,
      );
      console.log(`external id: ${access.externalId}`);
      console.log(`trust policy for arn:aws:iam::${organization.awsAccountId}:role/${roleNames.console}:\n${JSON.stringify(trustPolicy, null, 2)}`);
    }
  } finally {
    await (await getDatabase()).close();
  }
}

main().catch((error: Error) => {
  console.error(`aws-access: ${error.message}`);
  process.exit(1);
});
