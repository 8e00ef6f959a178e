"use server";

import { AuthError, CredentialsSignin } from "next-auth";
import { z } from "zod";
import { echoValues, type FormState } from "@/lib/form-state";
import { safeCallbackUrl } from "@/lib/callback-url";
import { formInput } from "@/server/auth/action";
import { signIn, signOut } from "@/server/auth/auth";
import { headers } from "next/headers";
import { clientIp, signInSchema } from "@/server/auth/credentials";
import { signInLockedFor } from "@/server/auth/rate-limit";

// These two actions are public by nature: nobody is signed in yet, or signing out is harmless.
// The password check, the rate limit and the deactivation check all live in authorizeWithPassword,
// which also guards Auth.js's own callback endpoint.

export async function signInWithPassword(_prev: FormState, formData: FormData): Promise<FormState> {
  const input = formInput(formData);
  const values = echoValues(input);
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) {
    return { status: "error", message: "Enter your e-mail and password.", fieldErrors: z.flattenError(parsed.error).fieldErrors, values };
  }
  const redirectTo = safeCallbackUrl(formData.get("callbackUrl"));
  try {
    await signIn("credentials", { ...parsed.data, redirectTo });
  } catch (error) {
    if (error instanceof CredentialsSignin) return { status: "error", message: await messageFor(error.code, parsed.data.email), values };
    if (error instanceof AuthError) return { status: "error", message: "Sign-in failed. Try again.", values };
    throw error; // the redirect that follows a successful sign-in
  }
  return { status: "success" };
}

async function messageFor(code: string, email: string): Promise<string> {
  if (code === "rate_limited") {
    const minutes = Math.max(1, await signInLockedFor({ email, ip: clientIp(await headers()) }));
    return `Too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  }
  if (code === "deactivated") return "This account has been deactivated. Ask an admin of your organization.";
  return "Wrong e-mail or password.";
}

export async function signInWithOidc(formData: FormData): Promise<void> {
  await signIn("oidc", { redirectTo: safeCallbackUrl(formData.get("callbackUrl")) });
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/sign-in" });
}
