import { z } from "zod";
import { route } from "../../protocols/rest-json";
import { accountId, arnOf, invalid, listQuery, ownAccount, page, requireSubscription } from "./common";
import { deleteResource, getResource, insertResource, listResources, type QuickSightResource } from "./store";

// The account's QuickSight subscription and its users.

const editions = ["STANDARD", "ENTERPRISE", "ENTERPRISE_AND_Q"] as const;

function settingsOf(subscription: QuickSightResource) {
  const b = subscription.body as { AccountName: string; Edition: string; NotificationEmail: string; AuthenticationMethod: string };
  return b;
}

function userOf(row: QuickSightResource) {
  return row.body;
}

const namespace = z.literal("default", { message: "The local cloud has the default namespace only." });

export const accountRoutes = [
  route("DescribeAccountSettings", "GET", "/accounts/{AwsAccountId}/settings", 200, z.object({ AwsAccountId: accountId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DescribeAccountSettings");
    const s = settingsOf(await requireSubscription(account));
    return {
      AccountSettings: {
        AccountName: s.AccountName,
        Edition: s.Edition,
        DefaultNamespace: "default",
        NotificationEmail: s.NotificationEmail,
        PublicSharingEnabled: false,
        TerminationProtectionEnabled: true,
      },
      Status: 200,
    };
  }),
  route(
    "CreateAccountSubscription",
    "POST",
    "/account/{AwsAccountId}",
    200,
    z.object({
      AwsAccountId: accountId,
      Edition: z.enum(editions).optional(),
      AuthenticationMethod: z.enum(["IAM_AND_QUICKSIGHT", "IAM_ONLY", "ACTIVE_DIRECTORY", "IAM_IDENTITY_CENTER"]),
      AccountName: z.string().min(1).max(62),
      NotificationEmail: z.string().min(3).max(254),
    }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "CreateAccountSubscription");
      if (input.AuthenticationMethod === "ACTIVE_DIRECTORY" || input.AuthenticationMethod === "IAM_IDENTITY_CENTER")
        throw invalid("The local cloud signs accounts up with IAM_AND_QUICKSIGHT or IAM_ONLY authentication.");
      const body = { AccountName: input.AccountName, Edition: input.Edition ?? "STANDARD", NotificationEmail: input.NotificationEmail, AuthenticationMethod: input.AuthenticationMethod };
      await insertResource({ accountId: account, kind: "subscription", resourceId: "account", name: input.AccountName, body });
      return { SignupResponse: { IAMUser: true, userLoginName: "", accountName: input.AccountName, directoryType: "QUICKSIGHT" }, Status: 200 };
    },
  ),
  route("DescribeAccountSubscription", "GET", "/account/{AwsAccountId}", 200, z.object({ AwsAccountId: accountId }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "DescribeAccountSubscription");
    const s = settingsOf(await requireSubscription(account));
    return {
      AccountInfo: { AccountName: s.AccountName, Edition: s.Edition, NotificationEmail: s.NotificationEmail, AuthenticationType: s.AuthenticationMethod, AccountSubscriptionStatus: "ACCOUNT_CREATED" },
      Status: 200,
    };
  }),
  route(
    "RegisterUser",
    "POST",
    "/accounts/{AwsAccountId}/namespaces/{Namespace}/users",
    200,
    z.object({
      AwsAccountId: accountId,
      Namespace: namespace,
      IdentityType: z.enum(["IAM", "QUICKSIGHT", "IAM_IDENTITY_CENTER"]),
      Email: z.string().min(3).max(254),
      UserRole: z.enum(["ADMIN", "AUTHOR", "READER", "RESTRICTED_AUTHOR", "RESTRICTED_READER", "ADMIN_PRO", "AUTHOR_PRO", "READER_PRO"]),
      IamArn: z.string().optional(),
      SessionName: z.string().min(2).max(64).optional(),
      UserName: z.string().min(1).max(256).optional(),
    }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "RegisterUser");
      await requireSubscription(account);
      let userName: string;
      if (input.IdentityType === "IAM") {
        const iam = /^arn:aws:iam::(\d{12}):(user|role)\/(?:.*\/)?([\w+=,.@-]+)$/.exec(input.IamArn ?? "");
        if (!iam || iam[1] !== account) throw invalid("IamArn must name an IAM user or role of this account (arn:aws:iam::<account>:user/<name> or role/<name>).");
        if (iam[2] === "role" && !input.SessionName) throw invalid("SessionName is required to register an IAM role's session.");
        userName = iam[2] === "role" ? `${iam[3]}/${input.SessionName}` : iam[3]!;
      } else if (input.IdentityType === "QUICKSIGHT") {
        if (!input.UserName) throw invalid("UserName is required for a QUICKSIGHT identity.");
        userName = input.UserName;
      } else throw invalid("The local cloud registers IAM and QUICKSIGHT identities.");
      const user = {
        Arn: arnOf(caller, account, "user", `default/${userName}`),
        UserName: userName,
        Email: input.Email,
        Role: input.UserRole,
        IdentityType: input.IdentityType,
        Active: true,
        PrincipalId: `federated/iam/${userName}`,
      };
      await insertResource({ accountId: account, kind: "user", resourceId: `default/${userName}`, name: userName, body: user });
      return { User: user, Status: 201 };
    },
  ),
  route("ListUsers", "GET", "/accounts/{AwsAccountId}/namespaces/{Namespace}/users", 200, z.object({ AwsAccountId: accountId, Namespace: namespace, ...listQuery }), async ({ input, caller }) => {
    const account = ownAccount(input.AwsAccountId, caller, "ListUsers");
    await requireSubscription(account);
    const { items, NextToken } = page(await listResources(account, "user"), (u) => u.resourceId, input);
    return { UserList: items.map(userOf), ...(NextToken ? { NextToken } : {}), Status: 200 };
  }),
  route(
    "DescribeUser",
    "GET",
    "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}",
    200,
    z.object({ AwsAccountId: accountId, Namespace: namespace, UserName: z.string().min(1) }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "DescribeUser");
      return { User: userOf(await getResource(account, "user", `default/${input.UserName}`)), Status: 200 };
    },
  ),
  route(
    "DeleteUser",
    "DELETE",
    "/accounts/{AwsAccountId}/namespaces/{Namespace}/users/{UserName}",
    200,
    z.object({ AwsAccountId: accountId, Namespace: namespace, UserName: z.string().min(1) }),
    async ({ input, caller }) => {
      const account = ownAccount(input.AwsAccountId, caller, "DeleteUser");
      await deleteResource(account, "user", `default/${input.UserName}`);
      return { Status: 200 };
    },
  ),
];
