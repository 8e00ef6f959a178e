import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { z } from "zod";
import { awsAccessFields, awsAccessSchema } from "@/lib/aws-access";
import { AppError } from "@/lib/errors";
import { defineCommand } from "@/server/auth/action";
import { awsClientsFor } from "@/server/aws/clients";
import { awsCall } from "@/server/aws/errors";
import { cleanroomsMode } from "@/server/config";
import { awsAccessOf, recordConnectionTest, updateAwsAccess } from "./aws-access";

// What an admin does to the organization's AWS access. The organization (and so the account a
// role must belong to) always comes from the actor, never from the form.

export const saveAwsAccessCommand = defineCommand({
  action: "settings.awsAccess",
  target: (input) => String(input.roleArn || input.credentialSource || ""),
  permission: "settings.manage",
  schema: awsAccessFields,
  revalidate: ["/settings"],
  async run(input, actor) {
    const checked = awsAccessSchema(actor.awsAccountId).safeParse(input);
    if (!checked.success) throw new AppError("invalid", "Check the highlighted fields.", z.flattenError(checked.error).fieldErrors as Record<string, string[]>);
    await updateAwsAccess(actor.orgId, checked.data);
    return cleanroomsMode() === "aws" ? "Saved. Test the connection to check that the console can act for your account." : "Saved. The console uses these settings when it runs in aws mode.";
  },
});

export const testAwsConnectionCommand = defineCommand({
  action: "settings.testConnection",
  permission: "settings.manage",
  schema: z.object({}),
  revalidate: ["/settings"],
  async run(_input, actor) {
    if (cleanroomsMode() !== "aws") throw new AppError("invalid", "The console runs in local mode: it acts for your organization with its local cloud keys, so there is no AWS connection to test.");
    const clients = await awsClientsFor(actor);
    const identity = await awsCall("Testing the connection", () => clients.sts.send(new GetCallerIdentityCommand({})));
    if (identity.Account !== actor.awsAccountId) {
      throw new AppError("forbidden", `These credentials belong to account ${identity.Account}, not to your organization's account ${actor.awsAccountId}. The console will not use them.`);
    }
    await recordConnectionTest(actor.orgId, identity.Arn ?? "");
    const access = await awsAccessOf(actor.orgId);
    return `Connected to account ${identity.Account} in ${access.region} as ${identity.Arn}.`;
  },
});
