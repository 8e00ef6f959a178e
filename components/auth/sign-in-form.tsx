"use client";

import { useActionState } from "react";
import { signInWithPassword } from "@/app/sign-in/actions";
import { idleState } from "@/lib/form-state";
import { Button } from "@/components/ui/button";
import { Field, Input } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";

export function SignInForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, formAction, pending] = useActionState(signInWithPassword, idleState);
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <FormMessage state={state} />
      <Field id="email" label="E-mail" errors={state.fieldErrors?.email}>
        {(aria) => <Input {...aria} name="email" type="email" autoComplete="username" defaultValue={state.values?.email} required autoFocus />}
      </Field>
      <Field id="password" label="Password" errors={state.fieldErrors?.password}>
        {(aria) => <Input {...aria} name="password" type="password" autoComplete="current-password" required />}
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
