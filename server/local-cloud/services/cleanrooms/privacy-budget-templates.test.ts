import {
  CreatePrivacyBudgetTemplateCommand,
  DeletePrivacyBudgetTemplateCommand,
  GetCollaborationPrivacyBudgetTemplateCommand,
  GetPrivacyBudgetTemplateCommand,
  ListCollaborationPrivacyBudgetTemplatesCommand,
  ListPrivacyBudgetTemplatesCommand,
  UpdatePrivacyBudgetTemplateCommand,
  type CleanRoomsClient,
} from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/server/auth/actor";
import { awsClientsFor } from "@/server/aws/clients";
import { associateTable, membershipOf } from "@/server/collaborations/collaborations";
import { createConfiguredTable, saveAnalysisRule } from "@/server/configured-tables/configured-tables";
import { actorFor } from "@/server/testing/actors";
import { twoMemberCollaboration } from "@/server/testing/collaborations";
import { catalogueDataset } from "@/server/testing/datasets";
import { startTestCloud, type TestCloud } from "../../testing";

// Privacy budget templates through the SDK: created once per collaboration by each member whose
// tables differential privacy protects, read by every member, changed within AWS's bounds.
let cloud: TestCloud;
let ownerB: Actor;
let clientA: CleanRoomsClient;
let clientB: CleanRoomsClient;
let collaborationId: string;
let membershipA: string;
let membershipB: string;

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: Error) => `${error.name}: ${error.message}`,
  );

beforeAll(async () => {
  cloud = await startTestCloud();
  vi.stubEnv("LOCAL_CLOUD_PORT", new URL(cloud.endpoint).port);
  ownerB = await actorFor("owner@org-b.example");
  const { adminA, adminB, collaborationId: created } = await twoMemberCollaboration("dp");
  collaborationId = created;
  await catalogueDataset(ownerB, "visits", "customer_id,visits\n" + Array.from({ length: 20 }, (_, i) => `${i},${i % 4}`).join("\n") + "\n");
  const table = await createConfiguredTable(ownerB, { name: "visits", dataset: "visits", columns: ["customer_id", "visits"] });
  await saveAnalysisRule(ownerB, table, {
    type: "CUSTOM",
    policy: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: [adminA.awsAccountId], differentialPrivacy: { columns: [{ name: "customer_id" }] } },
  });
  await associateTable(ownerB, collaborationId, { configuredTableId: table, name: "visits" });
  const [a, b] = [await awsClientsFor(adminA), await awsClientsFor(adminB)];
  [clientA, clientB] = [a.cleanrooms, b.cleanrooms];
  membershipA = (await membershipOf(a, collaborationId))!.id!;
  membershipB = (await membershipOf(b, collaborationId))!.id!;
}, 60_000);
afterAll(async () => {
  vi.unstubAllEnvs();
  await cloud.close();
});

const create = (client: CleanRoomsClient, membershipIdentifier: string, epsilon: number, usersNoisePerQuery: number) =>
  client.send(
    new CreatePrivacyBudgetTemplateCommand({
      membershipIdentifier,
      privacyBudgetType: "DIFFERENTIAL_PRIVACY",
      autoRefresh: "CALENDAR_MONTH",
      parameters: { differentialPrivacy: { epsilon, usersNoisePerQuery } },
    }),
  );

describe("privacy budget templates", () => {
  it("are created by the member whose tables differential privacy protects, within AWS's bounds", async () => {
    // The member who receives results owns no protected table, and may never set a budget.
    expect(await failure(create(clientA, membershipA, 5, 20))).toMatch(/^AccessDeniedException: Your organization can receive results in this collaboration/);
    expect(await failure(create(clientB, membershipB, 21, 20))).toMatch(/^ValidationException/);
    expect(await failure(create(clientB, membershipB, 5, 9))).toMatch(/^ValidationException/);
    expect(await failure(create(clientB, membershipB, 2.5, 20))).toMatch(/^ValidationException/);
    const { privacyBudgetTemplate } = await create(clientB, membershipB, 5, 20);
    expect(privacyBudgetTemplate).toMatchObject({
      membershipId: membershipB,
      collaborationId,
      privacyBudgetType: "DIFFERENTIAL_PRIVACY",
      autoRefresh: "CALENDAR_MONTH",
      parameters: { differentialPrivacy: { epsilon: 5, usersNoisePerQuery: 20 } },
    });
    // One per member whose tables it protects.
    expect(await failure(create(clientB, membershipB, 6, 30))).toMatch(/^ConflictException: Your organization already has a privacy budget template in this collaboration/);
  });

  it("are read by their owner and, through the collaboration, by every member; changed and deleted by their owner", async () => {
    const [summary] = (await clientB.send(new ListPrivacyBudgetTemplatesCommand({ membershipIdentifier: membershipB }))).privacyBudgetTemplateSummaries!;
    const id = summary!.id!;
    expect((await clientB.send(new GetPrivacyBudgetTemplateCommand({ membershipIdentifier: membershipB, privacyBudgetTemplateIdentifier: id }))).privacyBudgetTemplate?.parameters).toEqual({
      differentialPrivacy: { epsilon: 5, usersNoisePerQuery: 20 },
    });
    const seen = (await clientA.send(new ListCollaborationPrivacyBudgetTemplatesCommand({ collaborationIdentifier: collaborationId }))).collaborationPrivacyBudgetTemplateSummaries!;
    expect(seen.map((t) => [t.id, t.creatorAccountId])).toEqual([[id, ownerB.awsAccountId]]);
    const view = (await clientA.send(new GetCollaborationPrivacyBudgetTemplateCommand({ collaborationIdentifier: collaborationId, privacyBudgetTemplateIdentifier: id })))
      .collaborationPrivacyBudgetTemplate!;
    expect(view).toMatchObject({ creatorAccountId: ownerB.awsAccountId, autoRefresh: "CALENDAR_MONTH", parameters: { differentialPrivacy: { epsilon: 5, usersNoisePerQuery: 20 } } });
    expect(await failure(clientA.send(new GetPrivacyBudgetTemplateCommand({ membershipIdentifier: membershipB, privacyBudgetTemplateIdentifier: id })))).toMatch(
      /^(ResourceNotFoundException|AccessDeniedException)/,
    );

    // Nothing has been spent yet, so epsilon may go down as well as up; noise may change either way.
    const update = (parameters: { epsilon?: number; usersNoisePerQuery?: number }) =>
      clientB.send(
        new UpdatePrivacyBudgetTemplateCommand({
          membershipIdentifier: membershipB,
          privacyBudgetTemplateIdentifier: id,
          privacyBudgetType: "DIFFERENTIAL_PRIVACY",
          parameters: { differentialPrivacy: parameters },
        }),
      );
    expect((await update({ epsilon: 3 })).privacyBudgetTemplate?.parameters).toEqual({ differentialPrivacy: { epsilon: 3, usersNoisePerQuery: 20 } });
    expect((await update({ usersNoisePerQuery: 50 })).privacyBudgetTemplate?.parameters).toEqual({ differentialPrivacy: { epsilon: 3, usersNoisePerQuery: 50 } });
    expect(await failure(update({ epsilon: 0 }))).toMatch(/^ValidationException/);
    expect(await failure(clientA.send(new DeletePrivacyBudgetTemplateCommand({ membershipIdentifier: membershipA, privacyBudgetTemplateIdentifier: id })))).toMatch(/^ResourceNotFoundException/);
    await clientB.send(new DeletePrivacyBudgetTemplateCommand({ membershipIdentifier: membershipB, privacyBudgetTemplateIdentifier: id }));
    expect((await clientA.send(new ListCollaborationPrivacyBudgetTemplatesCommand({ collaborationIdentifier: collaborationId }))).collaborationPrivacyBudgetTemplateSummaries).toEqual([]);
  });
});
