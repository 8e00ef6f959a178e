// "Promote to AWS": a local collaboration's design as an AWS CLI script and a CloudFormation
// template, both parameterized by each member's account id, AWS CLI profile (script), data bucket
// and role ARNs. Built from a Blueprint (server/promote/blueprint.ts), which holds the design only:
// the collaboration, its members' abilities, each table's columns and analysis rule, the privacy
// budget. No data: each member uploads its own to its data bucket.

export interface BlueprintMember {
  /** MEMBER_1 (the creator), MEMBER_2…: the prefix of the member's parameters. */
  label: string;
  accountId: string;
  displayName: string;
  abilities: string[];
}

export interface Blueprint {
  name: string;
  description?: string;
  queryLogStatus: string;
  members: BlueprintMember[];
  tables: { owner: string; name: string; description?: string; columns: { name: string; type: string }[]; rule?: { type: string; policy: Record<string, unknown> } }[];
  privacyBudgets: { owner: string; autoRefresh: string; epsilon: number; usersNoisePerQuery: number }[];
}

export const GLUE_DATABASE = "cleanrooms_datasets";

/** How a member's account id appears inside a blueprint's rules: filled in by the script, a Ref in the template. */
export const accountParameter = (label: string) => `@${label}_ACCOUNT_ID@`;
const receives = (m: BlueprintMember) => m.abilities.includes("CAN_RECEIVE_RESULTS");
const shq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/** The bash script: run it with each member's parameters set; it prints what it creates. */
export function cliScript(blueprint: Blueprint): string {
  const [creator, ...others] = blueprint.members;
  if (!creator) throw new Error("A collaboration has at least its creator.");
  const lines: string[] = [];
  const out = (...l: string[]) => lines.push(...l);
  out(
    "#!/usr/bin/env bash",
    `# Recreates the collaboration ${JSON.stringify(blueprint.name)} on AWS with the AWS CLI, as designed in the`,
    "# Clean Rooms console: the collaboration and its members' abilities, each member's Glue table,",
    "# configured table and analysis rule, the associations and the privacy budget. No data: each",
    "# member then uploads its files under s3://<its data bucket>/datasets/<table>/.",
    "#",
    "# Parameters (environment), for each member:",
  );
  for (const m of blueprint.members) {
    out(
      `#   ${m.label}_ACCOUNT_ID        ${m.displayName}'s AWS account id${m === creator ? " (the creator)" : ""}`,
      `#   ${m.label}_PROFILE           the AWS CLI profile acting in that account (empty: the default credentials)`,
      `#   ${m.label}_DATA_BUCKET       default cleanrooms-data-<account id>`,
      `#   ${m.label}_TABLE_ROLE_ARN    default arn:aws:iam::<account id>:role/cleanrooms-console-association`,
      ...(receives(m)
        ? [`#   ${m.label}_RESULTS_BUCKET    default cleanrooms-results-<account id>`, `#   ${m.label}_RESULTS_ROLE_ARN  default arn:aws:iam::<account id>:role/cleanrooms-console-results`]
        : []),
    );
  }
  out("set -euo pipefail", "", 'need() { [[ ${!1:-} =~ $2 ]] || { echo "Set $1 (${3})." >&2; exit 2; }; }');
  for (const m of blueprint.members) {
    const L = m.label;
    out(
      `need ${L}_ACCOUNT_ID '^[0-9]{12}$' "a 12-digit account id"`,
      `: "\${${L}_PROFILE:=}" "\${${L}_DATA_BUCKET:=cleanrooms-data-\${${L}_ACCOUNT_ID}}" "\${${L}_TABLE_ROLE_ARN:=arn:aws:iam::\${${L}_ACCOUNT_ID}:role/cleanrooms-console-association}"`,
      `need ${L}_DATA_BUCKET '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' "an S3 bucket name"`,
      `need ${L}_TABLE_ROLE_ARN '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$' "an IAM role ARN"`,
    );
    if (receives(m)) {
      out(
        `: "\${${L}_RESULTS_BUCKET:=cleanrooms-results-\${${L}_ACCOUNT_ID}}" "\${${L}_RESULTS_ROLE_ARN:=arn:aws:iam::\${${L}_ACCOUNT_ID}:role/cleanrooms-console-results}"`,
        `need ${L}_RESULTS_BUCKET '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$' "an S3 bucket name"`,
        `need ${L}_RESULTS_ROLE_ARN '^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$' "an IAM role ARN"`,
      );
    }
  }
  out(
    "",
    "# as MEMBER_n <aws arguments…>: runs the AWS CLI with that member's profile.",
    'as() { local profile_var="$1_PROFILE"; shift; if [[ -n ${!profile_var} ]]; then aws --profile "${!profile_var}" "$@"; else aws "$@"; fi; }',
    "# fill <json>: puts the parameters (checked above, so safe inside JSON) in place of @NAME@.",
    "fill() { local s=\"$1\" name; for name in $(compgen -v | grep -E '^MEMBER_[0-9]+_'); do s=${s//@$name@/${!name}}; done; printf '%s' \"$s\"; }",
    "",
  );

  const members = others.map((m) => ({ accountId: `@${m.label}_ACCOUNT_ID@`, displayName: m.displayName, memberAbilities: m.abilities }));
  out(
    `echo "Creating the collaboration as ${creator.label}"`,
    `COLLABORATION_ID=$(as ${creator.label} cleanrooms create-collaboration --name ${shq(blueprint.name)}${blueprint.description ? ` --description ${shq(blueprint.description)}` : ""} \\`,
    `  --creator-display-name ${shq(creator.displayName)} --creator-member-abilities ${shq(JSON.stringify(creator.abilities))} \\`,
    `  --members "$(fill ${shq(JSON.stringify(members))})" --query-log-status ${blueprint.queryLogStatus} --query collaboration.id --output text)`,
    'echo "collaboration: $COLLABORATION_ID"',
  );
  for (const m of blueprint.members) {
    const L = m.label;
    const results = receives(m)
      ? ` \\\n  --default-result-configuration "$(fill ${shq(JSON.stringify({ outputConfiguration: { s3: { resultFormat: "CSV", bucket: `@${L}_RESULTS_BUCKET@`, keyPrefix: "results/" } }, roleArn: `@${L}_RESULTS_ROLE_ARN@` }))})"`
      : "";
    out("", `# ${m.displayName} (${L}) joins${receives(m) ? " and receives results" : ""}.`);
    if (receives(m)) out(`as ${L} s3 mb "s3://\${${L}_RESULTS_BUCKET}" >/dev/null 2>&1 || true`);
    out(
      `${L}_MEMBERSHIP_ID=$(as ${L} cleanrooms create-membership --collaboration-identifier "$COLLABORATION_ID" --query-log-status ${blueprint.queryLogStatus}${results} --query membership.id --output text)`,
    );
  }
  const owners = [...new Set(blueprint.tables.map((t) => t.owner))];
  for (const owner of owners) {
    out(
      "",
      `# ${owner}'s data bucket and Glue database.`,
      `as ${owner} s3 mb "s3://\${${owner}_DATA_BUCKET}" >/dev/null 2>&1 || true`,
      `as ${owner} glue get-database --name ${GLUE_DATABASE} >/dev/null 2>&1 || as ${owner} glue create-database --database-input '{"Name":"${GLUE_DATABASE}"}'`,
    );
  }
  for (const table of blueprint.tables) {
    const L = table.owner;
    const tableInput = {
      Name: table.name,
      TableType: "EXTERNAL_TABLE",
      Parameters: { classification: "csv", "skip.header.line.count": "1" },
      StorageDescriptor: {
        Columns: table.columns.map((c) => ({ Name: c.name, Type: c.type })),
        Location: `s3://@${L}_DATA_BUCKET@/datasets/${table.name}/`,
        InputFormat: "org.apache.hadoop.mapred.TextInputFormat",
        OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", Parameters: { "field.delim": "," } },
      },
    };
    const v = `TABLE_${table.name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
    out(
      "",
      `# The table ${table.name} of ${L}.`,
      `as ${L} glue create-table --database-name ${GLUE_DATABASE} --table-input "$(fill ${shq(JSON.stringify(tableInput))})"`,
      `${v}=$(as ${L} cleanrooms create-configured-table --name ${shq(table.name)}${table.description ? ` --description ${shq(table.description)}` : ""} --analysis-method DIRECT_QUERY \\`,
      `  --table-reference ${shq(JSON.stringify({ glue: { databaseName: GLUE_DATABASE, tableName: table.name } }))} --allowed-columns ${shq(JSON.stringify(table.columns.map((c) => c.name)))} \\`,
      "  --query configuredTable.id --output text)",
    );
    if (table.rule) {
      out(
        `as ${L} cleanrooms create-configured-table-analysis-rule --configured-table-identifier "$${v}" --analysis-rule-type ${table.rule.type} \\`,
        `  --analysis-rule-policy "$(fill ${shq(JSON.stringify({ v1: { [table.rule.type.toLowerCase()]: table.rule.policy } }))})" >/dev/null`,
      );
    }
    out(
      `as ${L} cleanrooms create-configured-table-association --name ${shq(table.name)} --membership-identifier "$${L}_MEMBERSHIP_ID" --configured-table-identifier "$${v}" --role-arn "$${L}_TABLE_ROLE_ARN" >/dev/null`,
      `echo "table ${table.name}: $${v}"`,
    );
  }
  for (const budget of blueprint.privacyBudgets) {
    out(
      "",
      `# The privacy budget, set by ${budget.owner}, whose tables it protects.`,
      `as ${budget.owner} cleanrooms create-privacy-budget-template --membership-identifier "$${budget.owner}_MEMBERSHIP_ID" --privacy-budget-type DIFFERENTIAL_PRIVACY --auto-refresh ${budget.autoRefresh} \\`,
      `  --parameters ${shq(JSON.stringify({ differentialPrivacy: { epsilon: budget.epsilon, usersNoisePerQuery: budget.usersNoisePerQuery } }))} >/dev/null`,
    );
  }
  out("", 'echo "Done. Each member now uploads its data under s3://<its data bucket>/datasets/<table>/."', "");
  return lines.join("\n");
}

/** A rule's policy in CloudFormation's spelling (PascalCase keys), members' account ids as Refs to their parameters. */
const pascal = (value: unknown): unknown => {
  if (typeof value === "string") {
    const member = /^@(MEMBER_\d+)_ACCOUNT_ID@$/.exec(value);
    return member ? { Ref: `${logicalId(member[1]!.toLowerCase())}AccountId` } : value;
  }
  if (Array.isArray(value)) return value.map(pascal);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k[0]!.toUpperCase() + k.slice(1), pascal(v)]));
  return value;
};
const logicalId = (text: string) => text.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_, __, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, "");

/**
 * One CloudFormation template for every member's account: deploy it once per member (a stack
 * each, or a StackSet), with Member naming whose stack it is. The creator's stack creates the
 * collaboration and outputs its id; the others take it as CollaborationId.
 */
export function cloudFormationTemplate(blueprint: Blueprint): Record<string, unknown> {
  const [creator, ...others] = blueprint.members;
  if (!creator) throw new Error("A collaboration has at least its creator.");
  const parameters: Record<string, unknown> = {
    Member: { Type: "String", AllowedValues: blueprint.members.map((m) => m.label), Description: `Whose stack this is: ${blueprint.members.map((m) => `${m.label} = ${m.displayName}`).join(", ")}.` },
    CollaborationId: { Type: "String", Default: "", Description: "For every member but the creator: the collaboration id the creator's stack outputs." },
  };
  const conditions: Record<string, unknown> = {};
  const resources: Record<string, unknown> = {};
  for (const m of blueprint.members) {
    const p = logicalId(m.label.toLowerCase());
    parameters[`${p}AccountId`] = { Type: "String", AllowedPattern: "^\\d{12}$", Description: `${m.displayName}'s AWS account id.` };
    parameters[`${p}DataBucket`] = { Type: "String", Description: `${m.displayName}'s bucket for its datasets (under datasets/).` };
    parameters[`${p}TableRoleArn`] = { Type: "String", Description: `The role Clean Rooms assumes to read ${m.displayName}'s tables.` };
    if (receives(m)) {
      parameters[`${p}ResultsBucket`] = { Type: "String", Description: `${m.displayName}'s bucket for query results.` };
      parameters[`${p}ResultsRoleArn`] = { Type: "String", Description: `The role Clean Rooms assumes to write ${m.displayName}'s results.` };
    }
    conditions[`Is${p}`] = { "Fn::Equals": [{ Ref: "Member" }, m.label] };
  }
  const creatorId = logicalId(creator.label.toLowerCase());
  resources.Collaboration = {
    Type: "AWS::CleanRooms::Collaboration",
    Condition: `Is${creatorId}`,
    Properties: {
      Name: blueprint.name,
      Description: blueprint.description ?? blueprint.name,
      CreatorDisplayName: creator.displayName,
      CreatorMemberAbilities: creator.abilities,
      Members: others.map((m) => ({ AccountId: { Ref: `${logicalId(m.label.toLowerCase())}AccountId` }, DisplayName: m.displayName, MemberAbilities: m.abilities })),
      QueryLogStatus: blueprint.queryLogStatus,
    },
  };
  for (const m of blueprint.members) {
    const p = logicalId(m.label.toLowerCase());
    resources[`${p}Membership`] = {
      Type: "AWS::CleanRooms::Membership",
      Condition: `Is${p}`,
      Properties: {
        CollaborationIdentifier: m === creator ? { "Fn::GetAtt": ["Collaboration", "CollaborationIdentifier"] } : { Ref: "CollaborationId" },
        QueryLogStatus: blueprint.queryLogStatus,
        ...(receives(m)
          ? {
              DefaultResultConfiguration: { OutputConfiguration: { S3: { ResultFormat: "CSV", Bucket: { Ref: `${p}ResultsBucket` }, KeyPrefix: "results/" } }, RoleArn: { Ref: `${p}ResultsRoleArn` } },
            }
          : {}),
      },
    };
    const owned = blueprint.tables.filter((t) => t.owner === m.label);
    if (owned.length) {
      resources[`${p}DatasetsBucket`] = {
        Type: "AWS::S3::Bucket",
        Condition: `Is${p}`,
        Properties: {
          BucketName: { Ref: `${p}DataBucket` },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }] },
        },
      };
      resources[`${p}GlueDatabase`] = { Type: "AWS::Glue::Database", Condition: `Is${p}`, Properties: { CatalogId: { Ref: "AWS::AccountId" }, DatabaseInput: { Name: GLUE_DATABASE } } };
    }
    if (receives(m)) {
      resources[`${p}ResultsBucketResource`] = {
        Type: "AWS::S3::Bucket",
        Condition: `Is${p}`,
        Properties: {
          BucketName: { Ref: `${p}ResultsBucket` },
          PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        },
      };
    }
    for (const table of owned) {
      const t = `${p}${logicalId(table.name)}`;
      resources[`${t}GlueTable`] = {
        Type: "AWS::Glue::Table",
        Condition: `Is${p}`,
        DependsOn: `${p}GlueDatabase`,
        Properties: {
          CatalogId: { Ref: "AWS::AccountId" },
          DatabaseName: GLUE_DATABASE,
          TableInput: {
            Name: table.name,
            TableType: "EXTERNAL_TABLE",
            Parameters: { classification: "csv", "skip.header.line.count": "1" },
            StorageDescriptor: {
              Columns: table.columns.map((c) => ({ Name: c.name, Type: c.type })),
              Location: { "Fn::Sub": `s3://\${${p}DataBucket}/datasets/${table.name}/` },
              InputFormat: "org.apache.hadoop.mapred.TextInputFormat",
              OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
              SerdeInfo: { SerializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe", Parameters: { "field.delim": "," } },
            },
          },
        },
      };
      resources[`${t}ConfiguredTable`] = {
        Type: "AWS::CleanRooms::ConfiguredTable",
        Condition: `Is${p}`,
        DependsOn: `${t}GlueTable`,
        Properties: {
          Name: table.name,
          ...(table.description ? { Description: table.description } : {}),
          AnalysisMethod: "DIRECT_QUERY",
          AllowedColumns: table.columns.map((c) => c.name),
          TableReference: { Glue: { DatabaseName: GLUE_DATABASE, TableName: table.name } },
          ...(table.rule ? { AnalysisRules: [{ Type: table.rule.type, Policy: { V1: { [table.rule.type[0]! + table.rule.type.slice(1).toLowerCase()]: pascal(table.rule.policy) } } }] } : {}),
        },
      };
      resources[`${t}Association`] = {
        Type: "AWS::CleanRooms::ConfiguredTableAssociation",
        Condition: `Is${p}`,
        Properties: {
          Name: table.name,
          ConfiguredTableIdentifier: { "Fn::GetAtt": [`${t}ConfiguredTable`, "ConfiguredTableIdentifier"] },
          MembershipIdentifier: { "Fn::GetAtt": [`${p}Membership`, "MembershipIdentifier"] },
          RoleArn: { Ref: `${p}TableRoleArn` },
        },
      };
    }
  }
  for (const budget of blueprint.privacyBudgets) {
    const p = logicalId(budget.owner.toLowerCase());
    resources[`${p}PrivacyBudgetTemplate`] = {
      Type: "AWS::CleanRooms::PrivacyBudgetTemplate",
      Condition: `Is${p}`,
      Properties: {
        MembershipIdentifier: { "Fn::GetAtt": [`${p}Membership`, "MembershipIdentifier"] },
        PrivacyBudgetType: "DIFFERENTIAL_PRIVACY",
        AutoRefresh: budget.autoRefresh,
        Parameters: { Epsilon: budget.epsilon, UsersNoisePerQuery: budget.usersNoisePerQuery },
      },
    };
  }
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `The Clean Rooms collaboration ${JSON.stringify(blueprint.name)}, promoted from the console: deploy once per member with Member set.`,
    Parameters: parameters,
    Conditions: conditions,
    Resources: resources,
    Outputs: {
      CollaborationId: { Condition: `Is${creatorId}`, Value: { "Fn::GetAtt": ["Collaboration", "CollaborationIdentifier"] }, Description: "Give it to the other members' stacks as CollaborationId." },
    },
  };
}
