import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from "@aws-sdk/client-glue";
import {
  CleanRoomsClient,
  CreateCollaborationCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  CreateMembershipCommand,
  ListConfiguredTablesCommand,
  ListMembersCommand,
  TagResourceCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-cleanrooms";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAccessKey } from "@/server/local-keys/access-keys";
import { startTestCloud, type TestCloud } from "../../testing";

// Many SDK calls at once, on both stores: read-modify-writes of one resource serialize under its
// row lock, and uniqueness is the database's, so nothing is lost and nothing is doubled.
for (const store of ["pglite", "postgres"] as const) {
  describe(`concurrent changes [${store}]`, () => {
    let cloud: TestCloud;
    const accounts = Array.from({ length: 10 }, (_, i) => String(333333333330 + i));
    const clients = new Map<string, { cleanrooms: CleanRoomsClient; glue: GlueClient }>();

    beforeAll(async () => {
      cloud = await startTestCloud({ store });
      for (const accountId of accounts) {
        const key = await createAccessKey({ accountId });
        const common = { endpoint: cloud.endpoint, region: "us-east-1", credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } };
        clients.set(accountId, { cleanrooms: new CleanRoomsClient(common), glue: new GlueClient(common) });
      }
    }, 120_000);
    afterAll(async () => {
      await cloud.close();
    });

    it("lets every invited member join at once, and all end up members", async () => {
      const [creator, ...invited] = accounts;
      const { collaboration } = await clients.get(creator!)!.cleanrooms.send(
        new CreateCollaborationCommand({
          name: "crowd",
          description: "ten members",
          creatorDisplayName: "creator",
          creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
          members: invited.map((accountId) => ({ accountId, displayName: accountId, memberAbilities: [] })),
          queryLogStatus: "DISABLED",
        }),
      );
      await Promise.all(accounts.map((accountId) => clients.get(accountId)!.cleanrooms.send(new CreateMembershipCommand({ collaborationIdentifier: collaboration!.id!, queryLogStatus: "DISABLED" }))));
      const { memberSummaries } = await clients.get(creator!)!.cleanrooms.send(new ListMembersCommand({ collaborationIdentifier: collaboration!.id! }));
      expect(memberSummaries!.map((m) => m.status)).toEqual(Array(10).fill("ACTIVE"));
      expect(new Set(memberSummaries!.map((m) => m.membershipId)).size).toBe(10);

      // Two tag writes at once both land.
      const arn = collaboration!.arn!;
      await Promise.all(["a", "b", "c", "d"].map((k) => clients.get(creator!)!.cleanrooms.send(new TagResourceCommand({ resourceArn: arn, tags: { [k]: "1" } }))));
      expect(Object.keys((await clients.get(creator!)!.cleanrooms.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags!).sort()).toEqual(["a", "b", "c", "d"]);
    });

    it("pages a long list from the store, each item once, in a stable order", async () => {
      const { cleanrooms, glue } = clients.get(accounts[9]!)!;
      await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "many" } }));
      await glue.send(new CreateTableCommand({ DatabaseName: "many", TableInput: { Name: "t", StorageDescriptor: { Columns: [{ Name: "id", Type: "bigint" }] } } }));
      const created = await Promise.all(
        Array.from({ length: 130 }, (_, i) =>
          cleanrooms.send(
            new CreateConfiguredTableCommand({ name: `table-${i}`, tableReference: { glue: { databaseName: "many", tableName: "t" } }, allowedColumns: ["id"], analysisMethod: "DIRECT_QUERY" }),
          ),
        ),
      );
      const seen: string[] = [];
      let nextToken: string | undefined;
      do {
        const page = await cleanrooms.send(new ListConfiguredTablesCommand({ maxResults: 50, nextToken }));
        expect(page.configuredTableSummaries!.length).toBeLessThanOrEqual(50);
        seen.push(...page.configuredTableSummaries!.map((t) => t.id!));
        nextToken = page.nextToken;
      } while (nextToken);
      expect(seen).toEqual(created.map((c) => c.configuredTable!.id!).sort());
    });

    it("gives exactly one of two members racing for a table name, in any letter case, the name", async () => {
      const [creator, other] = accounts;
      const { collaboration } = await clients.get(creator!)!.cleanrooms.send(
        new CreateCollaborationCommand({
          name: "race",
          description: "names",
          creatorDisplayName: "creator",
          creatorMemberAbilities: ["CAN_QUERY", "CAN_RECEIVE_RESULTS"],
          members: [{ accountId: other!, displayName: "other", memberAbilities: [] }],
          queryLogStatus: "DISABLED",
        }),
      );
      const associate = async (accountId: string, name: string) => {
        const { cleanrooms, glue } = clients.get(accountId)!;
        const { membership } = await cleanrooms.send(new CreateMembershipCommand({ collaborationIdentifier: collaboration!.id!, queryLogStatus: "DISABLED" }));
        await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "db" } })).catch(() => undefined);
        await glue.send(new CreateTableCommand({ DatabaseName: "db", TableInput: { Name: "t", StorageDescriptor: { Columns: [{ Name: "id", Type: "bigint" }] } } })).catch(() => undefined);
        const { configuredTable } = await cleanrooms.send(
          new CreateConfiguredTableCommand({ name: `t-${accountId}`, tableReference: { glue: { databaseName: "db", tableName: "t" } }, allowedColumns: ["id"], analysisMethod: "DIRECT_QUERY" }),
        );
        return () =>
          cleanrooms.send(
            new CreateConfiguredTableAssociationCommand({ membershipIdentifier: membership!.id!, configuredTableIdentifier: configuredTable!.id!, name, roleArn: `arn:aws:iam::${accountId}:role/r` }),
          );
      };
      const [first, second] = [await associate(creator!, "shared_name"), await associate(other!, "SHARED_NAME")];
      const results = await Promise.allSettled([first(), second()]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const rejected = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect((rejected.reason as Error).name).toBe("ConflictException");
    });
  });
}
