import { actorOf, type Actor } from "@/server/auth/actor";
import { findUserForSignIn } from "@/server/users/store";

/** The Actor the session wrapper would build for this user, as the store knows them now. */
export async function actorFor(email: string): Promise<Actor> {
  const found = await findUserForSignIn({ email });
  if (!found) throw new Error(`no user ${email} in the test database`);
  return actorOf(found);
}
