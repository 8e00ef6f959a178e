"use client";

import { useActionState } from "react";
import { addUser } from "@/app/(console)/users/actions";
import { Button } from "@/components/ui/button";
import { Field, Input, Select } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { idleState } from "@/lib/form-state";
import { roleLabels, roles } from "@/lib/permissions";

export function AddUserForm() {
  const [state, formAction, pending] = useActionState(addUser, idleState);
  return (
    // React resets the fields after each submission: on an error they come back from state.values
    // (all but the password, which is never sent back to the browser).
    <form action={formAction} className="space-y-4" noValidate>
      <FormMessage state={state} />
      <Field id="user-name" label="Name" errors={state.fieldErrors?.name}>
        {(aria) => <Input {...aria} name="name" defaultValue={state.values?.name} required />}
      </Field>
      <Field id="user-email" label="E-mail" errors={state.fieldErrors?.email}>
        {(aria) => <Input {...aria} name="email" type="email" defaultValue={state.values?.email} required />}
      </Field>
      <Field id="user-role" label="Role" errors={state.fieldErrors?.role}>
        {(aria) => (
          <Select {...aria} name="role" defaultValue={state.values?.role ?? "analyst"}>
            {roles.map((role) => (
              <option key={role} value={role}>
                {roleLabels[role]}
              </option>
            ))}
          </Select>
        )}
      </Field>
      <Field id="user-password" label="Initial password" errors={state.fieldErrors?.password}>
        {(aria) => <Input {...aria} name="password" type="password" autoComplete="new-password" minLength={10} required />}
      </Field>
      <Button type="submit" disabled={pending}>
        {pending ? "Adding…" : "Add user"}
      </Button>
    </form>
  );
}
