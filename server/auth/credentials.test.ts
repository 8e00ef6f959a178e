import { beforeAll, expect, it } from "vitest";
import { seedDemo } from "@/server/seed/demo";
import { DEMO_PASSWORD } from "@/server/seed/demo-data";
import { setUserActive } from "@/server/users/store";
import { describeEachDatabase } from "@/server/testing/databases";
import { actorFor } from "@/server/testing/actors";
import { AccountDeactivated, TooManyAttempts, WrongCredentials, authorizeWithPassword, clientIp } from "./credentials";
import { userForOidcProfile } from "./oidc";
import { signInLimits, signInLockedFor } from "./rate-limit";

describeEachDatabase("sign-in", () => {
  beforeAll(async () => {
    await seedDemo();
  });

  it("signs in with the right password, case-insensitively by e-mail", async () => {
    const user = await authorizeWithPassword({ email: " Analyst@Org-A.example ", password: DEMO_PASSWORD }, "10.0.0.1");
    expect(user).toMatchObject({ email: "analyst@org-a.example", role: "analyst" });
  });

  it("refuses a wrong password and an unknown e-mail alike", async () => {
    await expect(authorizeWithPassword({ email: "analyst@org-a.example", password: "wrong" }, "10.0.0.2")).rejects.toBeInstanceOf(WrongCredentials);
    await expect(authorizeWithPassword({ email: "nobody@org-a.example", password: "wrong" }, "10.0.0.2")).rejects.toBeInstanceOf(WrongCredentials);
    await expect(authorizeWithPassword({ email: "not an email" }, "10.0.0.2")).rejects.toBeInstanceOf(WrongCredentials);
  });

  it("locks an e-mail after repeated failures, even for the right password", async () => {
    const email = "owner@org-b.example";
    for (let i = 0; i < signInLimits.perEmail; i++) {
      await expect(authorizeWithPassword({ email, password: `wrong-${i}` }, `10.1.0.${i}`)).rejects.toBeInstanceOf(WrongCredentials);
    }
    await expect(authorizeWithPassword({ email, password: DEMO_PASSWORD }, "10.1.1.1")).rejects.toBeInstanceOf(TooManyAttempts);
    const minutes = await signInLockedFor({ email, ip: null });
    expect(minutes).toBeGreaterThan(0);
    expect(minutes).toBeLessThanOrEqual(15);
    // The lock ends when the window has passed.
    expect(await signInLockedFor({ email, ip: null }, new Date(Date.now() + signInLimits.windowMs + 1000))).toBe(0);
  });

  it("locks an IP that fails across many e-mails", async () => {
    const ip = "192.0.2.77";
    for (let i = 0; i < signInLimits.perIp; i++) {
      await expect(authorizeWithPassword({ email: `guess${i}@org-a.example`, password: "x" }, ip)).rejects.toBeInstanceOf(WrongCredentials);
    }
    await expect(authorizeWithPassword({ email: "admin@org-a.example", password: DEMO_PASSWORD }, ip)).rejects.toBeInstanceOf(TooManyAttempts);
    expect(await authorizeWithPassword({ email: "admin@org-a.example", password: DEMO_PASSWORD }, "192.0.2.78")).toMatchObject({ role: "admin" });
  });

  it("refuses a deactivated user with the right password", async () => {
    const actor = await actorFor("analyst@org-b.example");
    await setUserActive({ orgId: actor.orgId, userId: actor.userId, active: false });
    await expect(authorizeWithPassword({ email: "analyst@org-b.example", password: DEMO_PASSWORD }, "10.2.0.1")).rejects.toBeInstanceOf(AccountDeactivated);
    await setUserActive({ orgId: actor.orgId, userId: actor.userId, active: true });
  });

  it("matches an OIDC profile to an existing active user by verified e-mail only", async () => {
    expect(await userForOidcProfile({ email: "ADMIN@org-b.example", email_verified: true })).toMatchObject({ email: "admin@org-b.example", role: "admin" });
    expect(await userForOidcProfile({ email: "admin@org-b.example", email_verified: false })).toBeNull();
    expect(await userForOidcProfile({ email: "admin@org-b.example" })).toBeNull();
    expect(await userForOidcProfile({ email: "stranger@example.com", email_verified: true })).toBeNull();
    const actor = await actorFor("owner@org-a.example");
    await setUserActive({ orgId: actor.orgId, userId: actor.userId, active: false });
    expect(await userForOidcProfile({ email: "owner@org-a.example", email_verified: true })).toBeNull();
  });
});

it("believes no client address the process did not work out itself", () => {
  // Outside a server of ours (no socket seen), a header is only a claim.
  expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.9, 198.51.100.4" }))).toBeNull();
  expect(clientIp(new Headers({ "x-real-ip": "203.0.113.10", "x-console-client-address": "203.0.113.11" }))).toBeNull();
});
