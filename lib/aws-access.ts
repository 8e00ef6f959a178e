import { z } from "zod";
import { roleArnProblem } from "./iam-policies";

// How an organization's admin tells the console to reach the organization's AWS account in aws
// mode, checked the same way in the form and on the server.

export const credentialSources = ["assume_role", "default_chain"] as const;
export type CredentialSource = (typeof credentialSources)[number];

export const credentialSourceLabels: Record<CredentialSource, string> = {
  assume_role: "Assume a role in our account (recommended)",
  default_chain: "The console server's own credentials (only if the server runs in our account)",
};

/** AWS region codes: us-east-1, eu-central-2, us-gov-west-1, ap-southeast-4… */
export const regionPattern = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

export const awsAccessFields = z.object({
  credentialSource: z.enum(credentialSources, { message: "Choose how the console gets credentials." }),
  roleArn: z.string().trim().max(2048).optional().default(""),
  region: z.string().trim().regex(regionPattern, "Enter an AWS region code, such as us-east-1."),
});

/** The fields, and the role's form and account (which must be the organization's own). */
export function awsAccessSchema(accountId: string) {
  return awsAccessFields.superRefine((input, ctx) => {
    if (input.credentialSource !== "assume_role") return;
    const problem = input.roleArn ? roleArnProblem(input.roleArn, accountId) : "Paste the ARN of the role the console assumes.";
    if (problem) ctx.addIssue({ code: "custom", path: ["roleArn"], message: problem });
  });
}

export type AwsAccessInput = z.output<ReturnType<typeof awsAccessSchema>>;
