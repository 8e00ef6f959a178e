import { CredentialsSignin } from "next-auth";
import { z } from "zod";
import type { Role } from "@/lib/permissions";
import { findUserForSignIn } from "@/server/users/store";
import { recordAudit } from "@/server/audit/audit";
import { CLIENT_ADDRESS_HEADER, clientAddressInstalled } from "@/server/http/client-address";
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
 * The client's address as this process worked it out from the socket and the trusted proxies
 * (server/http/client-address.ts); null where it could not (no HTTP server of ours in between).
 */
export function clientIp(headers: Headers): string | null {
  if (!clientAddressInstalled()) return null;
  return headers.get(CLIENT_ADDRESS_HEADER) || null;
}
