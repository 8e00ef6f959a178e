import type { Metadata } from "next";
import { CopyableJson, RolePoliciesView } from "@/components/aws/role-policies";
import { AwsAccessForm, TestConnectionButton } from "@/components/settings/aws-access-form";
import { PageHeader } from "@/components/ui/page-header";
import { roleNames } from "@/lib/iam-policies";
import { formatDateTime } from "@/lib/format";
import { requirePage } from "@/server/auth/session";
import { serverAccount } from "@/server/aws/credentials";
import { consoleRoleFor, rolesFor } from "@/server/aws/roles";
import { cleanroomsMode } from "@/server/config";
import { awsAccessOf } from "@/server/organizations/aws-access";

export const metadata: Metadata = { title: "Settings" };

export default async function SettingsPage() {
  const actor = await requirePage("settings.manage", "/settings");
  const access = await awsAccessOf(actor.orgId);
  const mode = cleanroomsMode();
  // The console's own account is what the role's trust policy names; in local mode it is unknown.
  const consoleAccount = mode === "aws" ? await serverAccount(access.region).catch(() => null) : null;
  const consoleRole = consoleRoleFor(actor, access.region, { accountId: consoleAccount ?? "<the console's AWS account id>", externalId: access.externalId });
  const suggestedRoleArn = `arn:aws:iam::${actor.awsAccountId}:role/${roleNames.console}`;
  return (
    <>
      <PageHeader title="Settings" description={`How the console reaches ${actor.orgName}'s AWS account (${actor.awsAccountId}).`} />
      <section className="max-w-3xl rounded-lg border border-slate-200 bg-white p-6" aria-labelledby="aws-access-heading">
        <h2 id="aws-access-heading" className="text-lg font-semibold">
          AWS access
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          {mode === "aws"
            ? "The console runs in aws mode: every upload, catalogue and Clean Rooms call for your organization is made with these credentials."
            : "The console runs in local mode and uses its local cloud, with your organization's local keys. These settings apply when it runs in aws mode."}
        </p>
        <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
          <dt className="text-slate-500">External id</dt>
          <dd className="font-mono" data-testid="external-id">
            {access.externalId}
          </dd>
          <dt className="text-slate-500">Console account</dt>
          <dd className="font-mono">{consoleAccount ?? (mode === "aws" ? "unknown: the console server's own credentials could not be read" : "not used in local mode")}</dd>
          <dt className="text-slate-500">Last test</dt>
          <dd>{access.testedAt ? `${formatDateTime(access.testedAt)}, as ${access.testedArn}` : "not tested since the settings last changed"}</dd>
        </dl>
        <div className="mt-6">
          <AwsAccessForm access={{ credentialSource: access.credentialSource, roleArn: access.roleArn ?? "", region: access.region }} suggestedRoleArn={suggestedRoleArn} />
        </div>
        {mode === "aws" && (
          <div className="mt-6 border-t border-slate-100 pt-4">
            <TestConnectionButton />
          </div>
        )}
      </section>
      <section className="mt-8 max-w-5xl space-y-3" aria-labelledby="aws-roles-heading">
        <h2 id="aws-roles-heading" className="text-lg font-semibold">
          Roles to create in your account
        </h2>
        <p className="text-sm text-slate-600">
          Create the console&apos;s role as <span className="font-mono">{roleNames.console}</span> with this trust policy: it lets only the console&apos;s account assume it, and only with your
          external id, so no other organization using this console can make it act for you.
        </p>
        <div className="grid gap-3 rounded-md border border-slate-200 bg-white p-3 lg:grid-cols-2">
          <CopyableJson label="Trust policy (Console access)" value={consoleRole.trustPolicy} />
          <CopyableJson label="Permission policy (Console access)" value={consoleRole.permissionPolicy} />
        </div>
        <RolePoliciesView roles={rolesFor(actor, ["crawler", "tableAccess", "results"], access.region)} accountId={actor.awsAccountId} />
      </section>
    </>
  );
}
