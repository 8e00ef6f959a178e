import {
  CleanRoomsClient,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreatePrivacyBudgetTemplateCommand,
  DeleteConfiguredTableAnalysisRuleCommand,
  DeleteConfiguredTableAssociationCommand,
  DeletePrivacyBudgetTemplateCommand,
  ListConfiguredTableAssociationsCommand,
  ListPrivacyBudgetsCommand,
  StartProtectedQueryCommand,
  UpdateConfiguredTableAnalysisRuleCommand,
  UpdatePrivacyBudgetTemplateCommand,
} from "@aws-sdk/client-cleanrooms";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand } from "@aws-sdk/client-sts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConfiguredTableBody } from "../../model";
import { updateResource } from "../../resources";
import { associateCustomTable, catalogueCsv, privacyWorld, type PrivacyWorld } from "../privacy-world";

// Attacks on the accounting around differential privacy, by the member who queries (org-a, who
// also receives results) against the member whose tables it protects (org-b): taking over the
// budget, resetting what was spent, and turning protection on where the rules say it may not be.
// Each must leave the owner's budget where the ledger says it is.

const csv = ["customer_id,region,spend", ...Array.from({ length: 300 }, (_, i) => `${i + 1},${["east", "west"][i % 2]},${i % 40}`)].join("\n");
// COUNT without GROUP BY: 2 measurements; epsilon 2 at usersNoisePerQuery 10 is 20 of them, 10 queries.
const COUNT = "SELECT COUNT(*) AS n FROM visits";

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (error: Error) => `${error.name}: ${error.message}`,
  );

describe("attacks on the privacy budget", () => {
  let world: PrivacyWorld;
  let attackerTable: string;

  beforeAll(async () => {
    world = await privacyWorld({ tables: { visits: csv }, epsilon: 2, usersNoisePerQuery: 10 });
    // The attacker brings a table of its own, catalogued in its own account, with a plain custom rule.
    await catalogueCsv(world.cloud, "org-a", { bucket: "org-a-results", database: "own", tables: { mine: csv } });
    attackerTable = await associateCustomTable(world.analyst, "111111111111", world.analystMembership, {
      name: "mine",
      database: "own",
      columns: ["customer_id", "region", "spend"],
      custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"] },
    });
  }, 120_000);
  afterAll(() => world.cloud.close());

  const dpPolicy = { v1: { custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"], differentialPrivacy: { columns: [{ name: "customer_id" }] } } } };
  const spentCounts = async () => (await world.budget()).COUNT!.remainingCount;

  it("refuses a receiver turning differential privacy on for a table it already associated, by update or by a new rule", async () => {
    expect(
      await failure(world.analyst.send(new UpdateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: attackerTable, analysisRuleType: "CUSTOM", analysisRulePolicy: dpPolicy }))),
    ).toMatch(/^ValidationException: .*Your organization can receive results in collaboration/);
    await world.analyst.send(new DeleteConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: attackerTable, analysisRuleType: "CUSTOM" }));
    expect(
      await failure(world.analyst.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: attackerTable, analysisRuleType: "CUSTOM", analysisRulePolicy: dpPolicy }))),
    ).toMatch(/^ValidationException: .*Your organization can receive results/);
    // Without protection, the rule goes back as it was.
    await world.analyst.send(
      new CreateConfiguredTableAnalysisRuleCommand({
        configuredTableIdentifier: attackerTable,
        analysisRuleType: "CUSTOM",
        analysisRulePolicy: { v1: { custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"] } } },
      }),
    );
  });

  it("refuses the querier's own budget template, before or after the owner's, so the owner's tables are never charged to it", async () => {
    const create = (client: CleanRoomsClient, membershipIdentifier: string, epsilon: number) =>
      client.send(
        new CreatePrivacyBudgetTemplateCommand({
          membershipIdentifier,
          privacyBudgetType: "DIFFERENTIAL_PRIVACY",
          autoRefresh: "NONE",
          parameters: { differentialPrivacy: { epsilon, usersNoisePerQuery: 100 } },
        }),
      );
    expect(await failure(create(world.analyst, world.analystMembership, 20))).toMatch(/^AccessDeniedException/);
    // A protected table slipped in by a rule written around the API (as stored before these checks
    // existed) still gives the querier no template, and the query-time check refuses the table.
    await updateResource<ConfiguredTableBody>(attackerTable, (t) => ({
      body: { ...t.body, analysisRules: { CUSTOM: { policy: dpPolicy as never, createTime: new Date().toISOString(), updateTime: new Date().toISOString() } } },
    }));
    expect(await failure(create(world.analyst, world.analystMembership, 20))).toMatch(/^AccessDeniedException: Your organization can receive results/);
    const { protectedQuery: refused } = await world.analyst
      .send(new StartProtectedQueryCommand({ membershipIdentifier: world.analystMembership, type: "SQL", sqlParameters: { queryString: "SELECT COUNT(*) FROM mine" } }))
      .catch((e: Error) => ({ protectedQuery: { error: e.message } as { error: string } }));
    expect(JSON.stringify(refused)).toMatch(/your own differentially private tables|can receive results/);
    await updateResource<ConfiguredTableBody>(attackerTable, (t) => ({
      body: {
        ...t.body,
        analysisRules: { CUSTOM: { policy: { v1: { custom: { allowedAnalyses: ["ANY_QUERY"], allowedAnalysisProviders: ["111111111111"] } } } as never, createTime: "", updateTime: "" } },
      },
    }));
    const budgets = (await world.analyst.send(new ListPrivacyBudgetsCommand({ membershipIdentifier: world.analystMembership, privacyBudgetType: "DIFFERENTIAL_PRIVACY" }))).privacyBudgetSummaries!;
    expect(budgets.map((b) => b.privacyBudgetTemplateId)).toEqual([world.templateId]);
  });

  it("keeps what was spent through delete, re-create, update and re-association of the owner's budget and tables", async () => {
    const before = await spentCounts();
    expect(before).toBe(10);
    expect((await world.run(COUNT)).status).toBe("SUCCESS");
    expect((await world.run(COUNT)).status).toBe("SUCCESS");
    expect(await spentCounts()).toBe(8);

    // Delete while spend exists: refused, and the budget is as it was.
    expect(await failure(world.owner.send(new DeletePrivacyBudgetTemplateCommand({ membershipIdentifier: world.ownerMembership, privacyBudgetTemplateIdentifier: world.templateId })))).toMatch(
      /^ConflictException: Queries have spent/,
    );
    // A second template for the same tables: refused.
    expect(
      await failure(
        world.owner.send(
          new CreatePrivacyBudgetTemplateCommand({
            membershipIdentifier: world.ownerMembership,
            privacyBudgetType: "DIFFERENTIAL_PRIVACY",
            parameters: { differentialPrivacy: { epsilon: 20, usersNoisePerQuery: 10 } },
          }),
        ),
      ),
    ).toMatch(/^ConflictException/);
    // Lowering epsilon once spent: refused; more noise leaves the spend as spent.
    const update = (differentialPrivacy: { epsilon?: number; usersNoisePerQuery?: number }) =>
      world.owner.send(
        new UpdatePrivacyBudgetTemplateCommand({
          membershipIdentifier: world.ownerMembership,
          privacyBudgetTemplateIdentifier: world.templateId,
          privacyBudgetType: "DIFFERENTIAL_PRIVACY",
          parameters: { differentialPrivacy },
        }),
      );
    expect(await failure(update({ epsilon: 1 }))).toMatch(/^ValidationException: .*Queries have already spent/);
    await update({ usersNoisePerQuery: 20 });
    // 0.4 of epsilon 2 spent; at 20 users of noise a COUNT takes 0.1: 16 left, not 20.
    expect(await spentCounts()).toBe(16);
    await update({ usersNoisePerQuery: 10 });
    expect(await spentCounts()).toBe(8);

    // The owner re-associates its table under the same name: the spend belongs to the collaboration and the owner.
    const associations = (await world.owner.send(new ListConfiguredTableAssociationsCommand({ membershipIdentifier: world.ownerMembership }))).configuredTableAssociationSummaries!;
    const visits = associations.find((a) => a.name === "visits")!;
    await world.owner.send(new DeleteConfiguredTableAssociationCommand({ membershipIdentifier: world.ownerMembership, configuredTableAssociationIdentifier: visits.id! }));
    await world.owner.send(
      new CreateConfiguredTableAssociationCommand({
        membershipIdentifier: world.ownerMembership,
        configuredTableIdentifier: visits.configuredTableId!,
        name: "visits",
        roleArn: "arn:aws:iam::222222222222:role/CleanRooms",
      }),
    );
    expect(await spentCounts()).toBe(8);

    // Sixty rounds of the attack's loop never spend past the cap.
    let ran = 0;
    for (let round = 0; round < 60; round++) {
      const outcome = await world.run(COUNT).catch((e: Error) => e);
      if (!(outcome instanceof Error) && outcome.status === "SUCCESS") ran++;
      await failure(world.owner.send(new DeletePrivacyBudgetTemplateCommand({ membershipIdentifier: world.ownerMembership, privacyBudgetTemplateIdentifier: world.templateId })));
    }
    expect(ran).toBe(8);
    expect(await spentCounts()).toBe(0);
    expect(await failure(world.run(COUNT))).toMatch(/has ε 0 left/);
  }, 120_000);
  it("holds back an account whose queries keep hitting the check's limits, whatever key or session it sends them with", async () => {
    const costly = (n: number) => `SELECT COUNT(*) FROM visits WHERE spend IN (${Array.from({ length: 60_000 }, (_, i) => i + n).join(",")})`;
    const start = (client: CleanRoomsClient, queryString: string) =>
      failure(client.send(new StartProtectedQueryCommand({ membershipIdentifier: world.analystMembership, type: "SQL", sqlParameters: { queryString } })));
    for (let i = 0; i < 3; i++) expect(await start(world.analyst, costly(i))).toMatch(/too large/);
    // A fresh session of one of its own roles is the same account.
    const iam = new IAMClient({ endpoint: world.cloud.endpoint, region: "us-east-1", credentials: await world.cloud.credentials("org-a") });
    await iam.send(
      new CreateRoleCommand({ RoleName: "Fresh", AssumeRolePolicyDocument: JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "111111111111" }, Action: "sts:AssumeRole" }] }) }),
    );
    const { Credentials } = await (await world.cloud.sts("org-a")).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::111111111111:role/Fresh", RoleSessionName: "fresh" }));
    const fresh = new CleanRoomsClient({
      endpoint: world.cloud.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! },
    });
    expect(await start(fresh, COUNT)).toMatch(/wait \d+ s before the next check/);
  });
});
