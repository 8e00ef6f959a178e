import { createHmac, timingSafeEqual } from "node:crypto";
import { ensureAuthSecret } from "@/server/auth/secret";

// Operator endpoints serve local tooling (npm run credentials) while the server holds the
// embedded database. Their bearer token is derived from the server's secret: whoever can read
// DATA_DIR (or AUTH_SECRET) operates this installation anyway.
export function operatorToken(): string {
  return createHmac("sha256", ensureAuthSecret()).update("operator-api-v1").digest("base64url");
}

export function isOperatorRequest(request: Request): boolean {
  const given = Buffer.from(request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "");
  const expected = Buffer.from(operatorToken());
  return given.length === expected.length && timingSafeEqual(given, expected);
}
