import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import {
  CleanRoomsClient,
  CreateConfiguredTableAnalysisRuleCommand,
  CreateConfiguredTableAssociationCommand,
  CreateConfiguredTableCommand,
  GetConfiguredTableAnalysisRuleCommand,
  ListConfiguredTablesCommand,
} from "@aws-sdk/client-cleanrooms";
import { CreateDatabaseCommand, CreateTableCommand, GetTableCommand, GlueClient } from "@aws-sdk/client-glue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliScript, cloudFormationTemplate, type Blueprint } from "@/lib/promote";
import { privacyWorld, type PrivacyWorld } from "@/server/local-cloud/services/cleanrooms/protected-queries/privacy-world";
import { startCloudProcess, type CloudProcess } from "@/server/testing/cloud-process";
import { readBlueprint } from "./blueprint";

// Promote to AWS, round trip: a collaboration designed on one local cloud (a table protected by
// differential privacy with its budget, and an aggregation table) is exported as an AWS CLI script,
// the script runs with the real AWS CLI against a fresh local cloud under other account ids, and
// what it created is read back and compared with the original: members and abilities, tables,
// columns, rules (account ids in them mapped), the budget.
const run = promisify(execFile);
let world: PrivacyWorld;
let fresh: CloudProcess;
let original: Blueprint;
const aggregation = {
  aggregateColumns: [
    { columnNames: ["customer_id"], function: "COUNT_DISTINCT" },
    { columnNames: ["amount"], function: "SUM" },
  ],
  joinColumns: ["customer_id"],
  allowedJoinOperators: ["AND"],
  dimensionColumns: ["region"],
  scalarFunctions: ["TRUNC"],
  outputConstraints: [{ columnName: "customer_id", minimum: 3, type: "COUNT_DISTINCT" }],
  joinRequired: "QUERY_RUNNER",
};

beforeAll(async () => {
  world = await privacyWorld({ tables: { visits: "customer_id,pages\n1,3\n2,5\n" }, epsilon: 4, usersNoisePerQuery: 20 });
  // org-a adds an aggregation table of its own.
  const glueA = await world.cloud.glue("org-a");
  await glueA.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "retail" } }));
  await glueA.send(
    new CreateTableCommand({
      DatabaseName: "retail",
      TableInput: {
        Name: "sales",
        StorageDescriptor: {
          Columns: [
            { Name: "customer_id", Type: "bigint" },
            { Name: "region", Type: "string" },
            { Name: "amount", Type: "double" },
          ],
          Location: "s3://org-a-results/none/",
        },
      },
    }),
  );
  const table = (
    await world.analyst.send(
      new CreateConfiguredTableCommand({
        name: "sales",
        tableReference: { glue: { databaseName: "retail", tableName: "sales" } },
        allowedColumns: ["customer_id", "region", "amount"],
        analysisMethod: "DIRECT_QUERY",
      }),
    )
  ).configuredTable!.id!;
  await world.analyst.send(new CreateConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: table, analysisRuleType: "AGGREGATION", analysisRulePolicy: { v1: { aggregation } } as never }));
  await world.analyst.send(
    new CreateConfiguredTableAssociationCommand({
      membershipIdentifier: world.analystMembership,
      configuredTableIdentifier: table,
      name: "sales",
      roleArn: "arn:aws:iam::111111111111:role/CleanRooms",
    }),
  );
  original = await readBlueprint(world.analyst, "111111111111", world.collaborationId);

  // A fresh local cloud, in its own process and store, whose members are other accounts.
  fresh = await startCloudProcess(["333333333333", "444444444444"]);
}, 120_000);
afterAll(async () => {
  fresh?.stop();
  await world?.cloud.close();
});

describe("Promote to AWS", () => {
  it("reads the collaboration's design, with member account ids as parameters", () => {
    expect(original.members.map((m) => [m.label, m.accountId, m.displayName, m.abilities])).toEqual([
      ["MEMBER_1", "111111111111", "Retailer", ["CAN_QUERY", "CAN_RECEIVE_RESULTS"]],
      ["MEMBER_2", "222222222222", "Marketer", []],
    ]);
    expect(original.tables.map((t) => [t.owner, t.name, t.rule?.type])).toEqual([
      ["MEMBER_1", "sales", "AGGREGATION"],
      ["MEMBER_2", "visits", "CUSTOM"],
    ]);
    expect(original.tables[1]!.rule!.policy).toMatchObject({ allowedAnalysisProviders: ["@MEMBER_1_ACCOUNT_ID@"], differentialPrivacy: { columns: [{ name: "customer_id" }] } });
    expect(original.privacyBudgets).toEqual([{ owner: "MEMBER_2", autoRefresh: "CALENDAR_MONTH", epsilon: 4, usersNoisePerQuery: 20 }]);
  });

  it("recreates the same collaboration in another cloud, under other accounts, with the AWS CLI script", async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "promote-home-"));
    fs.mkdirSync(path.join(home, ".aws"));
    const profile = (name: string, account: string) => `[${name}]\naws_access_key_id = ${fresh.keys[account]!.accessKeyId}\naws_secret_access_key = ${fresh.keys[account]!.secretAccessKey}\n`;
    fs.writeFileSync(path.join(home, ".aws", "credentials"), profile("retailer", "333333333333") + profile("marketer", "444444444444"));
    fs.writeFileSync(path.join(home, "promote.sh"), cliScript(original));
    const { stdout } = await run("bash", [path.join(home, "promote.sh")], {
      cwd: home,
      timeout: 180_000,
      env: {
        NODE_ENV: "test",
        PATH: process.env.PATH,
        HOME: home,
        AWS_PAGER: "",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_ENDPOINT_URL: fresh.endpoint,
        MEMBER_1_ACCOUNT_ID: "333333333333",
        MEMBER_1_PROFILE: "retailer",
        MEMBER_2_ACCOUNT_ID: "444444444444",
        MEMBER_2_PROFILE: "marketer",
      },
    });
    const collaborationId = /^collaboration: (\S+)$/m.exec(stdout)?.[1];
    expect(collaborationId).toBeTruthy();
    const client = (account: string) => new CleanRoomsClient({ endpoint: fresh.endpoint, region: "us-east-1", credentials: fresh.keys[account]! });
    const recreated = await readBlueprint(client("333333333333"), "333333333333", collaborationId!);
    // The same design; only the members' account ids differ.
    expect(recreated).toEqual({ ...original, members: original.members.map((m) => ({ ...m, accountId: m.label === "MEMBER_1" ? "333333333333" : "444444444444" })) });
    // Each member's own resources: the configured table's columns and rule, the Glue table over its bucket.
    const marketer = client("444444444444");
    const [configured] = (await marketer.send(new ListConfiguredTablesCommand({}))).configuredTableSummaries!;
    const { analysisRule } = await marketer.send(new GetConfiguredTableAnalysisRuleCommand({ configuredTableIdentifier: configured!.id!, analysisRuleType: "CUSTOM" }));
    expect(analysisRule!.policy).toMatchObject({ v1: { custom: { allowedAnalysisProviders: ["333333333333"] } } });
    const glue = new GlueClient({ endpoint: fresh.endpoint, region: "us-east-1", credentials: fresh.keys["444444444444"]! });
    const { Table } = await glue.send(new GetTableCommand({ DatabaseName: "cleanrooms_datasets", Name: "visits" }));
    expect(Table!.StorageDescriptor!.Location).toBe("s3://cleanrooms-data-444444444444/datasets/visits/");
    expect(Table!.StorageDescriptor!.Columns!.map((c) => c.Name)).toEqual(["customer_id", "pages"]);
    fs.rmSync(home, { recursive: true, force: true });
  }, 200_000);

  it("refuses parameters that would not be account ids, before creating anything", async () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "promote-bad-")), "promote.sh");
    fs.writeFileSync(script, cliScript(original));
    const refused = await run("bash", [script], { env: { NODE_ENV: "test", PATH: process.env.PATH, MEMBER_1_ACCOUNT_ID: "333333333333", MEMBER_2_ACCOUNT_ID: '4"; rm -rf /' } }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(refused).toMatchObject({ code: 2, stderr: "Set MEMBER_2_ACCOUNT_ID (a 12-digit account id).\n" });
  });

  it("gives CloudFormation the same design: one template, a stack per member", () => {
    const template = cloudFormationTemplate(original) as { Parameters: Record<string, unknown>; Resources: Record<string, { Type: string; Condition: string; Properties: Record<string, unknown> }> };
    expect(Object.keys(template.Parameters)).toEqual(expect.arrayContaining(["Member", "CollaborationId", "Member1AccountId", "Member2AccountId", "Member1ResultsRoleArn", "Member2TableRoleArn"]));
    const types = Object.values(template.Resources).map((r) => `${r.Type} ${r.Condition}`);
    expect(types).toEqual(
      expect.arrayContaining([
        "AWS::CleanRooms::Collaboration IsMember1",
        "AWS::CleanRooms::Membership IsMember2",
        "AWS::S3::Bucket IsMember2",
        "AWS::Glue::Database IsMember2",
        "AWS::Glue::Table IsMember2",
        "AWS::CleanRooms::ConfiguredTable IsMember1",
        "AWS::CleanRooms::ConfiguredTableAssociation IsMember2",
        "AWS::CleanRooms::PrivacyBudgetTemplate IsMember2",
      ]),
    );
    const visits = template.Resources.Member2VisitsConfiguredTable!.Properties as { AnalysisRules: { Policy: { V1: { Custom: { AllowedAnalysisProviders: unknown[] } } } }[] };
    expect(visits.AnalysisRules[0]!.Policy.V1.Custom.AllowedAnalysisProviders).toEqual([{ Ref: "Member1AccountId" }]);
    expect(template.Resources.Collaboration!.Properties.Members).toEqual([{ AccountId: { Ref: "Member2AccountId" }, DisplayName: "Marketer", MemberAbilities: [] }]);
  });
});
