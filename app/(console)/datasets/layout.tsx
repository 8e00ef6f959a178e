import type { ReactNode } from "react";
import { requirePage } from "@/server/auth/session";

// The section's loading.tsx streams the page behind a Suspense boundary, and a response whose
// body has begun cannot change its status: the permission is checked here, above the boundary,
// so a role without it gets a real 403 before anything is sent. Each page checks again itself.
export default async function DatasetsLayout({ children }: { children: ReactNode }) {
  await requirePage("datasets.manage", "/datasets");
  return children;
}
