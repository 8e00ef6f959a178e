import { and, count, eq, gt, lt, min } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { signInFailures } from "@/server/db/schema";

// Failed sign-ins are counted per e-mail (guessing one account's password) and per IP (trying
// many accounts from one place). Counts live in the store, so every console instance agrees.
export const signInLimits = {
  windowMs: 15 * 60 * 1000,
  perEmail: 5,
  perIp: 30,
};

export interface SignInKeys {
  email: string;
  ip: string | null;
}

function keysOf({ email, ip }: SignInKeys): { key: string; limit: number }[] {
  const keys = [{ key: `email:${email.trim().toLowerCase()}`, limit: signInLimits.perEmail }];
  if (ip) keys.push({ key: `ip:${ip}`, limit: signInLimits.perIp });
  return keys;
}

/** Minutes until the caller may try again, or 0 when they may try now. */
export async function signInLockedFor(keys: SignInKeys, now = new Date()): Promise<number> {
  const db = await getDb();
  const since = new Date(now.getTime() - signInLimits.windowMs);
  let waitMs = 0;
  for (const { key, limit } of keysOf(keys)) {
    const [row] = await db
      .select({ n: count(), oldest: min(signInFailures.at) })
      .from(signInFailures)
      .where(and(eq(signInFailures.key, key), gt(signInFailures.at, since)));
    if (row && row.n >= limit && row.oldest) {
      waitMs = Math.max(waitMs, new Date(row.oldest).getTime() + signInLimits.windowMs - now.getTime());
    }
  }
  return waitMs > 0 ? Math.ceil(waitMs / 60_000) : 0;
}

export async function recordSignInFailure(keys: SignInKeys, now = new Date()): Promise<void> {
  const db = await getDb();
  await db.insert(signInFailures).values(keysOf(keys).map(({ key }) => ({ key, at: now })));
  // Old rows carry no information any more; drop them as we go.
  await db.delete(signInFailures).where(lt(signInFailures.at, new Date(now.getTime() - signInLimits.windowMs)));
}

export async function clearSignInFailures({ email }: { email: string }): Promise<void> {
  const db = await getDb();
  await db.delete(signInFailures).where(eq(signInFailures.key, `email:${email.trim().toLowerCase()}`));
}
