"use client";

import { useActionState, useState } from "react";
import { saveAwsAccess, testAwsConnection } from "@/app/(console)/settings/actions";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { credentialSourceLabels, credentialSources, type CredentialSource } from "@/lib/aws-access";
import { idleState } from "@/lib/form-state";

export interface AwsAccessView {
  credentialSource: CredentialSource;
  roleArn: string;
  region: string;
}

/** How the console reaches the organization's AWS account: the role it assumes (or the server's own credentials) and the region. */
export function AwsAccessForm({ access, suggestedRoleArn }: { access: AwsAccessView; suggestedRoleArn: string }) {
  const [state, formAction, pending] = useActionState(saveAwsAccess, idleState);
  const [source, setSource] = useState<CredentialSource>((state.values?.credentialSource as CredentialSource | undefined) ?? access.credentialSource);
  return (
    <form action={formAction} className="space-y-4" aria-label="AWS access settings" noValidate>
      <FormMessage state={state} />
      <fieldset>
        <legend className="text-sm font-medium text-slate-800">Credentials</legend>
        <div className="mt-2 space-y-2">
          {credentialSources.map((value) => (
            <label key={value} className="flex items-start gap-2 text-sm">
              <input type="radio" name="credentialSource" value={value} checked={source === value} onChange={() => setSource(value)} className="mt-0.5" />
              <span>{credentialSourceLabels[value]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {source === "assume_role" && (
        <Field id="aws-role-arn" label="Role ARN" errors={state.fieldErrors?.roleArn}>
          {(aria) => <Input {...aria} name="roleArn" defaultValue={state.values?.roleArn ?? access.roleArn} placeholder={suggestedRoleArn} spellCheck={false} />}
        </Field>
      )}
      <Field id="aws-region" label="Region" errors={state.fieldErrors?.region}>
        {(aria) => <Input {...aria} name="region" defaultValue={state.values?.region ?? access.region} spellCheck={false} />}
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}

/** Calls GetCallerIdentity with the saved settings and shows whose account answered. */
export function TestConnectionButton() {
  const [state, formAction, pending] = useActionState(testAwsConnection, idleState);
  return (
    <form action={formAction} className="space-y-3" aria-label="Connection test">
      <FormMessage state={state} />
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Testing…" : "Test connection"}
      </Button>
    </form>
  );
}
