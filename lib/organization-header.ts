// Every write from a console page says which organization the page was rendered for, and the
// server refuses it when the session now belongs to another one. Browsers share cookies across
// the ports of one host, so a page elsewhere on the host could have replaced or shadowed the
// session cookie (login CSRF): the user, still looking at Organization A, would otherwise upload
// into Organization B's bucket. The organization comes from a meta tag the signed-in layout
// renders; the server compares it with the session's (server/auth/origin.ts).

export const ORGANIZATION_HEADER = "x-console-organization";
export const ORGANIZATION_META = "console-organization";

/** The organization this page was rendered for, in the browser. */
export function pageOrganization(): string | null {
  if (typeof document === "undefined") return null;
  return document.querySelector(`meta[name="${ORGANIZATION_META}"]`)?.getAttribute("content") ?? null;
}
