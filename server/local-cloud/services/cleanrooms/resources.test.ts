import { expect, it } from "vitest";
import { describeEachDatabase } from "@/server/testing/databases";
import { insertResource, isUniqueViolation, newId } from "./resources";

// An association's name is a table's name in SQL: the store itself keeps it unique within a
// collaboration whatever the letter case, so no race between two members can create "t" and "T".
describeEachDatabase("association names", () => {
  const association = (collaborationId: string, accountId: string, name: string) => {
    const id = newId();
    return insertResource({ id, kind: "association", accountId, collaborationId, membershipId: `m-${accountId}`, arn: `arn:aws:cleanrooms:us-east-1:${accountId}:association/${id}`, name, body: {} });
  };

  it("refuses a second association of the same name in any letter case, even when both race", async () => {
    const collaboration = newId();
    const results = await Promise.allSettled([
      association(collaboration, "222222222222", "b_vict"),
      association(collaboration, "111111111111", "B_VICT"),
      association(collaboration, "111111111111", "B_Vict"),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const rejected of results.filter((r) => r.status === "rejected")) expect(isUniqueViolation(rejected.reason)).toBe(true);
  });

  it("allows the same name in another collaboration, and other kinds of resource to share it", async () => {
    await association(newId(), "111111111111", "shared_name");
    await association(newId(), "111111111111", "SHARED_NAME");
    const id = newId();
    const collaboration = newId();
    await association(collaboration, "111111111111", "same");
    await insertResource({ id, kind: "analysisTemplate", accountId: "111111111111", collaborationId: collaboration, membershipId: "m", arn: `arn:t:${id}`, name: "SAME", body: {} });
  });
});
