import { z } from "zod";
import { CloudError } from "../../errors";
import type { SignedRequest } from "../../sigv4/verify";
import { decodeToken, encodeToken } from "../../validation";
import { findResource, type QuickSightResource } from "./store";

// What every QuickSight operation shares: the account in the path must be the caller's own, most
// operations need the account's subscription, ids and names have QuickSight's shapes, times are
// epoch seconds, and lists page with max-results and next-token.

export const accountId = z.string().regex(/^\d{12}$/);
export const resourceId = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\w-]+$/);
export const resourceName = z.string().min(1).max(128);
export const permissions = z
  .array(z.object({ Principal: z.string().min(1).max(256), Actions: z.array(z.string().min(1)).min(1).max(20) }))
  .max(64)
  .optional();
export const listQuery = { "max-results": z.coerce.number().int().min(1).max(100).optional(), "next-token": z.string().optional() };

export const epoch = (date: Date) => date.getTime() / 1000;
export const invalid = (message: string) => new CloudError(400, "InvalidParameterValueException", message);

/** The account in the path must be the caller's: nobody reads or writes another account's QuickSight. */
export function ownAccount(pathAccount: string, caller: SignedRequest, action: string): string {
  if (pathAccount !== caller.accountId) {
    throw new CloudError(
      401,
      "AccessDeniedException",
      `User: arn:aws:iam::${caller.accountId}:root is not authorized to perform: quicksight:${action} on resource: arn:aws:quicksight:${caller.region}:${pathAccount}:*`,
    );
  }
  return pathAccount;
}

export async function requireSubscription(account: string): Promise<QuickSightResource> {
  const subscription = await findResource(account, "subscription", "account");
  if (!subscription) throw new CloudError(404, "ResourceNotFoundException", `The account ${account} is not signed up for QuickSight: call CreateAccountSubscription first.`);
  return subscription;
}

export const arnOf = (caller: SignedRequest, account: string, type: string, id: string) => `arn:aws:quicksight:${caller.region}:${account}:${type}/${id}`;

/** One page of a list, after the position the token names. */
export function page<T>(items: T[], idOf: (item: T) => string, query: { "max-results"?: number; "next-token"?: string }): { items: T[]; NextToken?: string } {
  const after = decodeToken(query["next-token"], "InvalidNextTokenException");
  const start = after === null ? 0 : items.findIndex((item) => idOf(item) === after) + 1;
  const size = query["max-results"] ?? 100;
  const slice = items.slice(start, start + size);
  return { items: slice, ...(start + size < items.length && slice.length ? { NextToken: encodeToken(idOf(slice[slice.length - 1]!)) } : {}) };
}

/** Principals QuickSight accepts: users and groups of a namespace of this account, or a namespace. */
export async function checkPermissions(account: string, list: { Principal: string; Actions: string[] }[] | undefined): Promise<{ Principal: string; Actions: string[] }[]> {
  for (const { Principal } of list ?? []) {
    const m = /^arn:aws:quicksight:[a-z0-9-]+:(\d{12}):(user|group|namespace)\/(.+)$/.exec(Principal);
    if (!m || m[1] !== account) throw invalid(`Principal ${Principal} is not a QuickSight user, group or namespace ARN of account ${account}.`);
    if (m[2] === "user" && !(await findResource(account, "user", m[3]!))) throw invalid(`Principal ${Principal} is not a registered QuickSight user.`);
  }
  return list ?? [];
}
