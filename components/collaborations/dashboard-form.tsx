"use client";

import { useActionState } from "react";
import { setDashboard } from "@/app/(console)/collaborations/actions";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";

/** The QuickSight dashboard this organization's results of the collaboration link to. */
export function DashboardForm({ id, url }: { id: string; url: string | null }) {
  const [state, action, pending] = useActionState(setDashboard, idleState);
  return (
    <form action={action} className="space-y-3" aria-label="QuickSight dashboard" noValidate>
      <FormMessage state={state} />
      <input type="hidden" name="id" value={id} />
      <Field id="dashboard-url" label="QuickSight dashboard link (leave empty for none)" errors={state.fieldErrors?.url}>
        {(aria) => <Input {...aria} name="url" type="url" defaultValue={state.values?.url ?? url ?? ""} placeholder="https://us-east-1.quicksight.aws.amazon.com/sn/dashboards/…" />}
      </Field>
      <Button type="submit" variant="secondary" disabled={pending}>
        {pending ? "Saving…" : "Save link"}
      </Button>
    </form>
  );
}
