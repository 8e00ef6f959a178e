"use client";

import { useEffect } from "react";
import { ORGANIZATION_HEADER, pageOrganization } from "@/lib/organization-header";

// Adds the page's organization to the requests server actions make (Next.js sends them with
// fetch and a Next-Action header), so the action wrapper can refuse a write made under a session
// that is no longer this page's organization's (lib/organization-header.ts).
const PATCHED = Symbol.for("cleanrooms-console.organization-fetch");

export function OrganizationGuard() {
  useEffect(() => {
    const current = window.fetch as typeof window.fetch & { [PATCHED]?: true };
    if (current[PATCHED]) return;
    const original = window.fetch.bind(window);
    const patched = ((input: RequestInfo | URL, init?: RequestInit) => {
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      const organization = pageOrganization();
      if (organization && headers.has("next-action")) {
        headers.set(ORGANIZATION_HEADER, organization);
        return original(input, { ...init, headers });
      }
      return original(input, init);
    }) as typeof window.fetch & { [PATCHED]?: true };
    patched[PATCHED] = true;
    window.fetch = patched;
  }, []);
  return null;
}
