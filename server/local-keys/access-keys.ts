import { createHmac, randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { ensureServerSecret } from "@/server/secrets";
import { accessKeys } from "./schema";

// Each account (organization) has access keys for the local cloud. Only the key id is stored; the
// secret is an HMAC of the id under the server secret, so a copy of the database alone reveals no
// usable key. Secrets are never logged.

function serverSecret(): string {
  return ensureServerSecret({ envVar: "LOCAL_CLOUD_SECRET", fileName: "local-cloud-secret" });
}

export function secretForAccessKey(accessKeyId: string): string {
  return createHmac("sha256", serverSecret()).update(`local-cloud-secret-key:${accessKeyId}`).digest("base64").slice(0, 40);
}

/** The session token of temporary credentials (STS AssumeRole), derived as their secret is. */
export function sessionTokenForAccessKey(accessKeyId: string): string {
  return createHmac("sha512", serverSecret()).update(`local-cloud-session-token:${accessKeyId}`).digest("base64");
}

const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** AWS key ids are 20 characters: AKIA (long-term) or ASIA (temporary) and 16 of base32. */
export function newAccessKeyId(prefix: "AKIA" | "ASIA" = "AKIA"): string {
  return prefix + [...randomBytes(16)].map((b) => base32[b % 32]).join("");
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

export async function createAccessKey({ accountId }: { accountId: string }): Promise<AccessKey> {
  const db = await getDb();
  const accessKeyId = newAccessKeyId();
  await db.insert(accessKeys).values({ accessKeyId, accountId });
  return { accessKeyId, accountId, secretAccessKey: secretForAccessKey(accessKeyId) };
}

// Keys never change once created, so every request need not read the store: a small cache per
// process (keys are never deleted while the process runs).
const known = new Map<string, AccessKey>();

export async function findAccessKey({ accessKeyId }: { accessKeyId: string }): Promise<AccessKey | undefined> {
  const cached = known.get(accessKeyId);
  if (cached) return cached;
  const db = await getDb();
  const [row] = await db.select().from(accessKeys).where(eq(accessKeys.accessKeyId, accessKeyId));
  if (!row) return undefined;
  const key = { accessKeyId, accountId: row.accountId, secretAccessKey: secretForAccessKey(accessKeyId) };
  if (known.size >= 1000) known.clear();
  known.set(accessKeyId, key);
  return key;
}

/** The account's oldest key, created if the account has none yet. */
export async function accessKeyForAccount({ accountId }: { accountId: string }): Promise<AccessKey> {
  const db = await getDb();
  const [row] = await db.select().from(accessKeys).where(eq(accessKeys.accountId, accountId)).orderBy(asc(accessKeys.createdAt)).limit(1);
  if (!row) return createAccessKey({ accountId });
  return { accessKeyId: row.accessKeyId, accountId, secretAccessKey: secretForAccessKey(row.accessKeyId) };
}
