import { createHmac, timingSafeEqual } from "node:crypto";
import { ensureAuthSecret } from "@/server/auth/secret";

// Operator endpoints serve local tooling (npm run credentials) while the server holds the
// embedded database. Each organization has its own bearer token, derived from the server's secret
// and the organization's slug, so a token handed to one organization's tooling opens only that
// organization's keys. Whoever can read DATA_DIR (or AUTH_SECRET) operates this installation anyway.
export function operatorToken(organizationSlug: string): string {
  return createHmac("sha256", ensureAuthSecret()).update(`operator-api-v2\u0000${organizationSlug}`).digest("base64url");
}

/** True when the request carries the operator token of exactly this organization. */
export function isOperatorRequest(request: Request, organizationSlug: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1] ?? "");
  const expected = Buffer.from(operatorToken(organizationSlug));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
