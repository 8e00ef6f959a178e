import { AppError } from "@/lib/errors";
import { ORGANIZATION_HEADER } from "@/lib/organization-header";

// Where a state-changing request comes from, checked by the route wrapper as Next.js checks it for
// server actions: a browser says so in Sec-Fetch-Site and Origin, and only this console's own
// pages may change anything. Pages elsewhere on the same host (another port is another origin but
// the same site, with the same cookies) are refused too. Clients that send neither header are
// not browsers, and so carry no one else's cookies.

/** Refuses a request a browser sent from another origin. */
export function checkSameOrigin(headers: Headers): void {
  const site = headers.get("sec-fetch-site");
  if (site && site !== "same-origin" && site !== "none") throw new AppError("forbidden", "This request came from another site, so it was refused.");
  const origin = headers.get("origin");
  if (origin === null) return;
  const host = headers.get("x-forwarded-host") ?? headers.get("host");
  let originHost: string | null = null;
  try {
    originHost = origin === "null" ? null : new URL(origin).host;
  } catch {
    originHost = null;
  }
  if (!host || originHost !== host) throw new AppError("forbidden", "This request came from another origin, so it was refused.");
}

/**
 * Refuses a write made from a page rendered for another organization than the session's (the
 * session cookie was replaced or shadowed since): lib/organization-header.ts. `required` for the
 * console's own fetches, which always say; server actions posted without script cannot.
 */
export function checkPageOrganization(headers: Headers, sessionOrganizationId: string, { required }: { required: boolean }): void {
  const stated = headers.get(ORGANIZATION_HEADER);
  if (stated === null || stated === "") {
    if (required) throw new AppError("forbidden", "This request does not say which organization's page it came from; reload the page and try again.");
    return;
  }
  if (stated !== sessionOrganizationId) {
    throw new AppError(
      "conflict",
      "You are now signed in to another organization than the one this page was opened for, so nothing was changed. Reload the page to see which organization you are in.",
    );
  }
}
