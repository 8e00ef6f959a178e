import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeWithPassword, clientIp, TooManyAttempts, WrongCredentials } from "@/server/auth/credentials";
import { signInLimits } from "@/server/auth/rate-limit";
import { listAudit } from "@/server/audit/audit";
import { actorFor } from "@/server/testing/actors";
import { describeEachDatabase } from "@/server/testing/databases";
import { seedDemo } from "@/server/seed/demo";
import { clientAddress, installClientAddress, parseTrustedProxies } from "./client-address";

// Password spraying with a forged X-Forwarded-For, as an attacker would vary it: a new address
// per attempt, a list, an IPv6 address, our own header. Through a real HTTP server of this
// process, only the socket's address (or what a listed proxy says) reaches the sign-in lock and
// the audit log.

describe("the client's address", () => {
  it("is the socket's unless a listed proxy forwarded the request", () => {
    const none = parseTrustedProxies(undefined);
    expect(clientAddress("::ffff:127.0.0.1", "203.0.113.9", none)).toBe("127.0.0.1");
    const proxies = parseTrustedProxies("127.0.0.1, 10.0.0.0/8");
    expect(clientAddress("127.0.0.1", "203.0.113.9", proxies)).toBe("203.0.113.9");
    // Only hops made by listed proxies are believed: the client's own claims further left are not.
    expect(clientAddress("127.0.0.1", "198.51.100.1, 203.0.113.9, 10.1.2.3", proxies)).toBe("203.0.113.9");
    expect(clientAddress("127.0.0.1", "not-an-address", proxies)).toBe("127.0.0.1");
    expect(clientAddress("192.0.2.7", "203.0.113.9", proxies)).toBe("192.0.2.7");
    expect(() => parseTrustedProxies("10.0.0.0/x")).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseTrustedProxies("proxy.example")).toThrow(/TRUSTED_PROXIES/);
  });
});

describeEachDatabase("password spraying through a server of this process", () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    await seedDemo();
    installClientAddress(parseTrustedProxies(""));
    server = http.createServer(async (request, response) => {
      const body = JSON.parse(await new Response(request as unknown as ReadableStream).text().catch(() => "{}")) as { email: string; password: string };
      const headers = new Headers(Object.entries(request.headers).map(([k, v]): [string, string] => [k, String(v)]));
      const outcome = await authorizeWithPassword(body, clientIp(headers)).then(
        () => "signed-in",
        (error: Error) => (error instanceof TooManyAttempts ? "locked" : error instanceof WrongCredentials ? "wrong" : error.message),
      );
      response.end(JSON.stringify({ outcome, ip: clientIp(headers) }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const attempt = async (email: string, headers: Record<string, string>) =>
    (await (await fetch(url, { method: "POST", headers, body: JSON.stringify({ email, password: "wrong-password" }) })).json()) as { outcome: string; ip: string };

  it("writes the real address into the victim's audit log, not the forged one", async () => {
    const admin = await actorFor("admin@org-b.example");
    await attempt("analyst@org-b.example", { "x-forwarded-for": "203.0.113.66" });
    const { entries } = await listAudit(admin.orgId, { action: "auth.signIn" }, { limit: 10 });
    const last = entries.find((e) => e.target === "analyst@org-b.example");
    expect(JSON.stringify(last?.detail)).toContain("127.0.0.1");
    expect(JSON.stringify(last?.detail)).not.toContain("203.0.113.66");
  });

  it("locks the sprayer's real address whatever address it claims", async () => {
    const forged = (i: number): Record<string, string> =>
      [
        { "x-forwarded-for": `203.0.113.${i % 250}` },
        { "x-forwarded-for": `198.51.100.1, 203.0.113.${i % 250}` },
        { "x-forwarded-for": `2001:db8::${i.toString(16)}` },
        { "x-real-ip": `192.0.2.${i % 250}` },
        { "x-console-client-address": `192.0.2.${i % 250}` },
      ][i % 5]!;
    const outcomes: string[] = [];
    for (let i = 0; i < signInLimits.perIp + 5; i++) {
      const answer = await attempt(`sprayed-${i}@org-a.example`, forged(i));
      expect(answer.ip).toBe("127.0.0.1");
      outcomes.push(answer.outcome);
    }
    // One address, however many it claims: at most perIp wrong guesses (one was spent above), then locked.
    const firstLocked = outcomes.indexOf("locked");
    expect(firstLocked).toBeGreaterThan(0);
    expect(firstLocked).toBeLessThanOrEqual(signInLimits.perIp);
    expect(outcomes.slice(firstLocked)).toEqual(Array(outcomes.length - firstLocked).fill("locked"));
  });
});
