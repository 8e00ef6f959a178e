import type { ReactNode } from "react";
import { requirePage } from "@/server/auth/session";

// Checked above the section's loading boundary so that a refused visitor gets a real status (see
// the datasets layout); each page checks again itself.
export default async function CollaborationsLayout({ children }: { children: ReactNode }) {
  await requirePage("collaborations.view", "/collaborations");
  return children;
}
