import { CredentialsSignin } from "next-auth";
import { z } from "zod";
import type { Role } from "@/lib/permissions";
import { findUserForSignIn } from "@/server/users/store";
import { recordAudit } from "@/server/audit/audit";
import { verifyPassword } from "./password";
import { clearSignInFailures, recordSignInFailure, signInLockedFor } from "./rate-limit";

export const signInSchema = z.object({
  email: z.string().trim().toLowerCase().email("Enter an e-mail address."),
  password: z.string().min(1, "Enter your password.").max(1024),
});

// The codes reach the sign-in form, which turns them into sentences.
export class WrongCredentials extends CredentialsSignin {
  code = "wrong_credentials";
}
export class TooManyAttempts extends CredentialsSignin {
  code = "rate_limited";
}
export class AccountDeactivated extends CredentialsSignin {
  code = "deactivated";
}

export interface SignedInUser {
  id: string;
  email: string;
  name: string;
  organizationId: string;
  role: Role;
}

/** Checks an e-mail and password, counting failures per e-mail and per IP. */
export async function authorizeWithPassword(credentials: unknown, ip: string | null): Promise<SignedInUser> {
  const parsed = signInSchema.safeParse(credentials);
  if (!parsed.success) throw new WrongCredentials();
  const { email, password } = parsed.data;
  const keys = { email, ip };
  if ((await signInLockedFor(keys)) > 0) throw new TooManyAttempts();
  const found = await findUserForSignIn({ email });
  // Attempts on a known account are audited in its organization (an unknown e-mail has none).
  const audit = (outcome: "success" | "error", reason: string) =>
    found
      ? recordAudit({ organizationId: found.user.organizationId, userId: found.user.id, userEmail: email, action: "auth.signIn", target: email, outcome, detail: { method: "password", reason, ip } })
      : Promise.resolve();
  if (!(await verifyPassword(password, found?.user.passwordHash))) {
    await recordSignInFailure(keys);
    await audit("error", "wrong password");
    throw new WrongCredentials();
  }
  const { user } = found!;
  if (!user.active) {
    await audit("error", "deactivated");
    throw new AccountDeactivated();
  }
  await clearSignInFailures({ email });
  await audit("success", "signed in");
  return { id: user.id, email: user.email, name: user.name, organizationId: user.organizationId, role: user.role };
}

/**
 * The address the nearest hop saw. Next.js sets x-forwarded-for to the socket's address when a
 * client sends none; behind a proxy, the proxy appends the real client as the last entry.
 */
export function clientIp(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for");
  const last = forwarded
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .pop();
  return last ?? headers.get("x-real-ip") ?? null;
}
