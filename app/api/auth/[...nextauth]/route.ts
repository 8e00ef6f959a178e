// Auth.js's own endpoints (CSRF token, OIDC redirects and callbacks, session, sign-out).
// They are public by nature and check what they need themselves.
import type { NextRequest } from "next/server";
import { handlers } from "@/server/auth/auth";

/**
 * The request with the URL the browser addressed. Next.js reports a loopback address such as
 * 127.0.0.1 as "localhost" in a route handler's URL, while the sign-in action builds the OIDC
 * redirect URI from the Host header; the callback must compute the same redirect URI, or the
 * identity provider refuses the code exchange (redirect_uri mismatch). A plain Request keeps the
 * host as given. With AUTH_URL set, Auth.js uses that instead, and the request is left as it is.
 */
function asAddressed(request: NextRequest): NextRequest {
  if (process.env.AUTH_URL || process.env.NEXTAUTH_URL) return request;
  const host = request.headers.get("x-forwarded-host") ?? request.headers.get("host");
  if (!host) return request;
  const url = new URL(request.url);
  url.host = host;
  const protocol = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  if (protocol === "http" || protocol === "https") url.protocol = `${protocol}:`;
  if (url.href === request.url) return request;
  const hasBody = request.method !== "GET" && request.method !== "HEAD";
  const init = { method: request.method, headers: request.headers, ...(hasBody ? { body: request.body, duplex: "half" } : {}) };
  return new Request(url, init as RequestInit) as NextRequest;
}

export const GET = (request: NextRequest) => handlers.GET(asAddressed(request));
export const POST = (request: NextRequest) => handlers.POST(asAddressed(request));
