import { z } from "zod";
import { accountId, columnName } from "@/lib/analysis-rules";

export { accountId, columnName };
import { CloudError } from "../../errors";
import type { SignedRequest } from "../../sigv4/verify";
import { decodeToken, encodeToken } from "../../validation";
import { listResources, type Resource, type ResourceFilter } from "./resources";

// Errors, names and pagination shared by the Clean Rooms operations.

export type CleanRoomsResourceType = "COLLABORATION" | "CONFIGURED_TABLE" | "CONFIGURED_TABLE_ASSOCIATION" | "MEMBERSHIP";

export const notFound = (resourceType: CleanRoomsResourceType | string, resourceId: string, what = resourceType.toLowerCase().replace(/_/g, " ")) =>
  new CloudError(404, "ResourceNotFoundException", `No ${what} found with identifier ${resourceId}.`, { resourceId, resourceType });

export const accessDenied = (message: string) => new CloudError(403, "AccessDeniedException", message, { reason: "INSUFFICIENT_PERMISSIONS" });

export const conflict = (reason: "ALREADY_EXISTS" | "SUBRESOURCES_EXIST" | "INVALID_STATE", message: string, resourceId?: string, resourceType?: string) =>
  new CloudError(409, "ConflictException", message, { reason, ...(resourceId ? { resourceId } : {}), ...(resourceType ? { resourceType } : {}) });

/** A ValidationException naming the field at fault, as Clean Rooms words them. */
export const invalid = (field: string, message: string, reason: "FIELD_VALIDATION_FAILED" | "INVALID_CONFIGURATION" | "INVALID_QUERY" = "FIELD_VALIDATION_FAILED") =>
  new CloudError(400, "ValidationException", `${field}: ${message}`, { reason, fieldList: [{ name: field, message }] });

export const epoch = (date: Date | string) => new Date(date).getTime() / 1000;

export function arn(caller: SignedRequest | { region: string }, accountId: string, path: string): string {
  return `arn:aws:cleanrooms:${caller.region}:${accountId}:${path}`;
}

export const uuid = z.string().regex(/^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/, "Member must be a resource identifier (UUID)");
/** Identifier labels accept the id or the full ARN. */
export const identifier = z.string().min(1).max(2048);
export const displayName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^(?!\s*$)[\u0020-\uD7FF\uE000-\uFFFD\t]*$/);
export const resourceName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^(?!\s*$)[\u0020-\uD7FF\uE000-\uFFFD\t]*$/);
export const description = z
  .string()
  .max(255)
  .regex(/^[\u0020-\uD7FF\uE000-\uFFFD\t\r\n]*$/);
export const tags = z.record(z.string().min(1).max(128), z.string().max(256)).optional();
export const roleArn = z
  .string()
  .min(32)
  .max(512)
  .regex(/^arn:aws:iam::\d{12}:role\/[\w+=,./@-]+$/, "Member must satisfy regular expression pattern: arn:aws:iam::[\\w]+:role/[\\w+=,./@-]+");

export const pageInput = {
  nextToken: z.string().max(10240).optional(),
  maxResults: z.coerce.number().int().min(1).max(100).optional(),
};

/** Pages a list already filtered to what the caller may see, by resource id. */
export function paginate<T extends { id: string }>(items: T[], nextToken: string | undefined, maxResults: number | undefined) {
  const after = decodeToken(nextToken, "ValidationException");
  const sorted = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const start = after === null ? sorted : sorted.filter((item) => item.id > after);
  const limit = maxResults ?? 100;
  const page = start.slice(0, limit);
  return { page, nextToken: start.length > limit ? encodeToken(page.at(-1)!.id) : undefined };
}

/** One page of a list, read from the store in id order: never more rows than the page holds. */
export async function pageResources<B>(filter: ResourceFilter, nextToken: string | undefined, maxResults: number | undefined): Promise<{ page: Resource<B>[]; nextToken?: string }> {
  const after = decodeToken(nextToken, "ValidationException");
  const limit = maxResults ?? 100;
  const rows = await listResources<B>(filter, after, limit + 1);
  const page = rows.slice(0, limit);
  return { page, nextToken: rows.length > limit ? encodeToken(page.at(-1)!.id) : undefined };
}

/** Finds a resource by id or ARN in the caller's reach, else ResourceNotFoundException. */
export function resolveId(identifierValue: string): string {
  const slash = identifierValue.lastIndexOf("/");
  return identifierValue.startsWith("arn:") && slash !== -1 ? identifierValue.slice(slash + 1) : identifierValue;
}

export function timestamps(resource: Resource<unknown>) {
  return { createTime: epoch(resource.createTime), updateTime: epoch(resource.updateTime) };
}

export function unique(field: string, values: string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw invalid(field, `"${value}" appears more than once.`);
    seen.add(value);
  }
}
