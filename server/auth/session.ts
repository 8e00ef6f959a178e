import { cache } from "react";
import { forbidden, redirect } from "next/navigation";
import { can, type Permission } from "@/lib/permissions";
import { findSessionUser } from "@/server/users/store";
import { actorOf, type Actor } from "./actor";
import { auth } from "./auth";

export type { Actor };

// The session cookie says who signed in and which session; the store says whether that session
// has not ended, whether they still may, and with which role.
export const currentActor = cache(async (): Promise<Actor | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  const sessionId = session?.user?.sessionId;
  if (!userId || !sessionId) return null;
  const found = await findSessionUser({ userId, sessionId });
  if (!found || !found.user.active) return null;
  return actorOf(found);
});

/** For pages: signed-out visitors go to sign-in; a role without the permission gets 403. */
export async function requirePage(permission: Permission, path: string): Promise<Actor> {
  const actor = await currentActor();
  if (!actor) redirect(`/sign-in?callbackUrl=${encodeURIComponent(path)}`);
  if (!can(actor.role, permission)) forbidden();
  return actor;
}
