import type { Actor } from "@/server/auth/actor";
import { createCollaboration, joinCollaboration } from "@/server/collaborations/collaborations";
import { actorFor } from "./actors";

/**
 * The shape most tests need: org-a creates a collaboration in which it may query and receive
 * results, invites org-b (contributing data only), and org-b joins.
 */
export async function twoMemberCollaboration(name: string): Promise<{ adminA: Actor; adminB: Actor; collaborationId: string }> {
  const [adminA, adminB] = [await actorFor("admin@org-a.example"), await actorFor("admin@org-b.example")];
  const collaborationId = await createCollaboration(adminA, {
    name,
    description: `${name}, for a test`,
    creatorDisplayName: "A",
    creatorAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
    members: [{ accountId: adminB.awsAccountId, displayName: "B", abilities: [] }],
    queryLogStatus: "ENABLED",
    encryption: null,
  });
  await joinCollaboration(adminB, collaborationId);
  return { adminA, adminB, collaborationId };
}
