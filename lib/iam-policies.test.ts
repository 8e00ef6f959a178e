import { describe, expect, it } from "vitest";
import { roleArnProblem, roleNames, rolePolicies } from "./iam-policies";

const org = { accountId: "111111111111", region: "eu-west-1", dataBucket: "cleanrooms-data-111111111111", resultsBucket: "cleanrooms-results-111111111111", database: "cleanrooms_datasets" };

describe("the IAM roles the console needs on AWS", () => {
  const roles = rolePolicies(org);

  it("names one role per use, as the console refers to them", () => {
    expect(roles.map((r) => [r.use, r.roleName])).toEqual([
      ["crawler", roleNames.crawler],
      ["tableAccess", roleNames.tableAccess],
      ["results", roleNames.results],
    ]);
  });

  it("grants only on this organization's own buckets, database and log group, never on everything", () => {
    for (const role of roles) {
      for (const statement of role.permissionPolicy.Statement) {
        expect(statement.Effect).toBe("Allow");
        for (const resource of [statement.Resource].flat() as string[]) {
          expect(resource, `${role.use}: ${resource}`).not.toBe("*");
          expect(resource, `${role.use}: ${resource}`).toMatch(/^arn:aws:(s3:::cleanrooms-(data|results)-111111111111|glue:eu-west-1:111111111111:|logs:eu-west-1:111111111111:)/);
        }
        for (const action of [statement.Action].flat() as string[]) expect(action).not.toMatch(/\*/);
      }
    }
    // Reading data is never writing it, and results are only written.
    expect(JSON.stringify(roles.find((r) => r.use === "tableAccess")!.permissionPolicy)).not.toMatch(/Put|Create|Update|Delete/);
    expect(JSON.stringify(roles.find((r) => r.use === "results")!.permissionPolicy)).not.toMatch(/GetObject|glue:/);
  });

  it("lets only the AWS service, acting for this account, assume each role", () => {
    for (const role of roles) {
      const [statement] = role.trustPolicy.Statement;
      expect(statement!.Action).toBe("sts:AssumeRole");
      expect((statement!.Condition as { StringEquals: Record<string, string> }).StringEquals["aws:SourceAccount"]).toBe("111111111111");
    }
    expect(roles.map((r) => (r.trustPolicy.Statement[0]!.Principal as { Service: string }).Service)).toEqual(["glue.amazonaws.com", "cleanrooms.amazonaws.com", "cleanrooms.amazonaws.com"]);
    expect(roles[1]!.trustPolicy.Statement[0]!.Condition).toMatchObject({ ArnLike: { "aws:SourceArn": "arn:aws:cleanrooms:eu-west-1:111111111111:membership/*" } });
  });
});

describe("checking a role ARN", () => {
  it("accepts a role of the organization's own account, with or without a path", () => {
    expect(roleArnProblem("arn:aws:iam::111111111111:role/cleanrooms-console-crawler", "111111111111")).toBeNull();
    expect(roleArnProblem(" arn:aws:iam::111111111111:role/service-role/reader ", "111111111111")).toBeNull();
  });

  it("refuses other accounts' roles and anything that is not a role ARN", () => {
    expect(roleArnProblem("arn:aws:iam::222222222222:role/reader", "111111111111")).toBe("The role belongs to account 222222222222, not to your organization's account 111111111111.");
    for (const bad of ["", "reader", "arn:aws:iam::111111111111:user/reader", "arn:aws:iam::11111111111:role/reader", "arn:aws:s3:::bucket", "arn:aws:iam::111111111111:role/"]) {
      expect(roleArnProblem(bad, "111111111111"), bad).toMatch(/Paste an IAM role ARN/);
    }
  });
});
