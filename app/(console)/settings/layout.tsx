import type { ReactNode } from "react";
import { requirePage } from "@/server/auth/session";

// Checked above the section's loading boundary so that a refused role gets a real 403 (see the
// datasets layout); the page checks again itself.
export default async function SettingsLayout({ children }: { children: ReactNode }) {
  await requirePage("settings.manage", "/settings");
  return children;
}
