import { randomBytes } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import { getDb } from "@/server/db/client";
import { CloudError } from "../../errors";
import { storeWithMemo, writing, type MemoTable } from "../../store/row-memo";
import { iamRoles } from "../../store/schema";
import { parseTrustPolicy } from "./trust";

// IAM roles of an account, kept for STS AssumeRole. Names compare without letter case, as in IAM.

export type Role = typeof iamRoles.$inferSelect;

export const roleArn = (role: Pick<Role, "accountId" | "path" | "roleName">) => `arn:aws:iam::${role.accountId}:role${role.path}${role.roleName}`;

const base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const newRoleId = () => "AROA" + [...randomBytes(17)].map((b) => base32[b % 32]).join("");

export const noSuchRole = (name: string) => new CloudError(404, "NoSuchEntity", `The role with name ${name} cannot be found.`);

export async function createRole(input: { accountId: string; roleName: string; path: string; description?: string; trustPolicy: string; maxSessionDuration: number }): Promise<Role> {
  parseTrustPolicy(input.trustPolicy);
  const db = await getDb();
  const [row] = await writing(roleRows, [roleKey(input.accountId, input.roleName)], () =>
    db
      .insert(iamRoles)
      .values({ ...input, roleId: newRoleId() })
      .onConflictDoNothing()
      .returning(),
  );
  if (!row) throw new CloudError(409, "EntityAlreadyExists", `Role with name ${input.roleName} already exists.`);
  return row;
}

const sameName = (accountId: string, roleName: string) => and(eq(iamRoles.accountId, accountId), sql`lower(${iamRoles.roleName}) = lower(${roleName})`);

// Every request made with temporary credentials looks its role up (sts/sessions.ts): on the
// embedded store the rows read are remembered until a write of this module forgets them.
const roleRows: MemoTable<Role> = { name: "iam_roles", keyOf: (row) => roleKey(row.accountId, row.roleName) };
const roleKey = (accountId: string, roleName: string) => `${accountId}/${roleName.toLowerCase()}`;

export async function findRole(accountId: string, roleName: string): Promise<Role | undefined> {
  const { db, memo } = await storeWithMemo(roleRows);
  const known = memo?.get(roleKey(accountId, roleName));
  if (known) return known;
  const readAt = memo?.now();
  const [row] = await db.select().from(iamRoles).where(sameName(accountId, roleName));
  if (row) memo?.keep(readAt, [row]);
  return row;
}

export async function getRole(accountId: string, roleName: string): Promise<Role> {
  const role = await findRole(accountId, roleName);
  if (!role) throw noSuchRole(roleName);
  return role;
}

export async function listRoles(accountId: string): Promise<Role[]> {
  const db = await getDb();
  return db.select().from(iamRoles).where(eq(iamRoles.accountId, accountId)).orderBy(asc(iamRoles.roleName));
}

export async function deleteRole(accountId: string, roleName: string): Promise<void> {
  const db = await getDb();
  const deleted = await writing(roleRows, [roleKey(accountId, roleName)], () => db.delete(iamRoles).where(sameName(accountId, roleName)).returning({ roleName: iamRoles.roleName }));
  if (deleted.length === 0) throw noSuchRole(roleName);
}

export async function updateTrustPolicy(accountId: string, roleName: string, trustPolicy: string): Promise<void> {
  parseTrustPolicy(trustPolicy);
  const db = await getDb();
  const updated = await writing(roleRows, [roleKey(accountId, roleName)], () =>
    db.update(iamRoles).set({ trustPolicy }).where(sameName(accountId, roleName)).returning({ roleName: iamRoles.roleName }),
  );
  if (updated.length === 0) throw noSuchRole(roleName);
}
