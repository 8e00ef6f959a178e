import { CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import type { BrowserContext, Page } from "@playwright/test";
import { localCredentials, type RunningConsole } from "./console-server";
import { expect, signedIn, test } from "./fixtures";
import { SignInPage } from "./pages/sign-in";

// The boundaries between the sites, sessions and organizations of one host, attacked as a member
// would in a real browser: the local cloud (another port of the console's host, so the same site
// and the same cookies) serving a member's page, a page of another origin posting to the console,
// a session cookie replaced or shadowed under a page that is still open, and a cookie kept after
// sign-out.

const running = () => ({ port: Number(process.env.E2E_PORT), dataDir: process.env.E2E_DATA_DIR! }) as RunningConsole;
const cloud = () => `http://127.0.0.1:${process.env.E2E_CLOUD_PORT}`;
const SESSION = "authjs.session-token";

async function sessionCookieOf(context: BrowserContext) {
  const cookie = (await context.cookies()).find((c) => c.name === SESSION);
  expect(cookie, "a session cookie").toBeTruthy();
  return cookie!;
}

test("a member's stored page on the local cloud runs no script and cannot set or shadow the console's cookies", async ({ browser, baseURL }) => {
  const credentials = await localCredentials(running(), "org-b");
  const s3 = new S3Client({ endpoint: cloud(), region: "us-east-1", forcePathStyle: true, credentials });
  await s3.send(new CreateBucketCommand({ Bucket: "org-b-pages" }));
  // The suite shares one console: the bucket goes when the test ends, as it found the account.
  const cleanUp = async () => {
    for (const Key of ["welcome.html", "notes.txt"]) await s3.send(new DeleteObjectCommand({ Bucket: "org-b-pages", Key }));
    await s3.send(new DeleteBucketCommand({ Bucket: "org-b-pages" }));
  };
  const page = `<!doctype html><title>stored</title><script>
    document.cookie = "${SESSION}=planted; path=/api/datasets";
    document.cookie = "planted=1; path=/";
    document.title = "ran";
  </script>`;
  await s3.send(new PutObjectCommand({ Bucket: "org-b-pages", Key: "welcome.html", Body: page, ContentType: "text/html" }));
  await s3.send(new PutObjectCommand({ Bucket: "org-b-pages", Key: "notes.txt", Body: page, ContentType: "text/plain" }));
  try {
    const victim = await signedIn(browser, baseURL!, "owner@org-a.example");
    const urls = [
      await getSignedUrl(s3, new GetObjectCommand({ Bucket: "org-b-pages", Key: "welcome.html" }), { expiresIn: 600 }),
      await getSignedUrl(s3, new GetObjectCommand({ Bucket: "org-b-pages", Key: "notes.txt", ResponseContentType: "text/html" }), { expiresIn: 600 }),
      await getSignedUrl(s3, new GetObjectCommand({ Bucket: "org-b-pages", Key: "welcome.html", ResponseContentDisposition: "inline" }), { expiresIn: 600 }),
    ];
    for (const url of urls) {
      const response = await victim.goto(url);
      expect(response?.headers()["content-security-policy"]).toMatch(/sandbox/);
      expect(response?.headers()["x-content-type-options"]).toBe("nosniff");
      expect(await victim.title()).not.toBe("ran");
    }
    const cookies = await victim.context().cookies();
    expect(cookies.filter((c) => c.value === "planted" || c.name === "planted")).toEqual([]);
    await victim.context().close();
  } finally {
    await cleanUp();
  }
});

test("a page of another origin cannot change anything through the console's routes", async ({ browser, baseURL }) => {
  const owner = await signedIn(browser, baseURL!, "owner@org-a.example");
  await owner.goto("/datasets");
  const organization = await owner.locator('meta[name="console-organization"]').getAttribute("content");
  const upload = (headers: Record<string, string>) =>
    owner.request.post(`/api/datasets/upload?name=planted&filename=planted.csv`, { headers: { "content-type": "application/octet-stream", ...headers }, data: "customer_id\n1\n" });
  const attempts: Record<string, string>[] = [
    { origin: cloud(), "sec-fetch-site": "same-site", "x-console-organization": organization! },
    { origin: "null", "x-console-organization": organization! },
    { origin: "http://evil.example", "sec-fetch-site": "cross-site", "x-console-organization": organization! },
    { "sec-fetch-site": "same-site", "x-console-organization": organization! },
    // The console's own origin, but not from a console page that says whose it is.
    { origin: baseURL! },
  ];
  for (const headers of attempts) {
    const answer = await upload(headers);
    expect(answer.status(), JSON.stringify(headers)).toBe(403);
  }
  await owner.goto("/datasets");
  await expect(owner.getByText("No datasets yet")).toBeVisible();
  await owner.context().close();
});

test("a replaced or shadowed session cookie cannot make an open page write into another organization", async ({ browser, baseURL }) => {
  const attacker = await signedIn(browser, baseURL!, "admin@org-b.example");
  const planted = await sessionCookieOf(attacker.context());
  const victim: Page = await signedIn(browser, baseURL!, "admin@org-a.example");

  // The upload route: a more specific path, as a page elsewhere on the host would set it.
  await victim.goto("/datasets");
  await victim.context().addCookies([{ ...planted, path: "/api/datasets" }]);
  await victim.getByLabel("CSV or Parquet file").setInputFiles({ name: "stolen.csv", mimeType: "text/csv", buffer: Buffer.from("customer_id,region\n1,north\n2,south\n") });
  await victim.getByRole("button", { name: "Upload" }).click();
  await expect(victim.getByText(/signed in to another organization than the one this page was opened for/)).toBeVisible();

  // A server action: the form posts to the page's own path, shadowed here.
  await victim.goto("/users");
  await victim.context().addCookies([{ ...planted, path: "/users" }]);
  const email = `planted.${Date.now()}@org-a.example`;
  await victim.getByLabel("Name").fill("Planted");
  await victim.getByLabel("E-mail").fill(email);
  await victim.getByLabel("Role", { exact: true }).selectOption("analyst");
  await victim.getByLabel("Initial password").fill("a-good-initial-password");
  await victim.getByRole("button", { name: "Add user" }).click();
  await expect(victim.getByRole("main").getByText(/signed in to another organization/)).toBeVisible();

  // Nothing reached the attacker's organization.
  await attacker.goto("/users");
  await expect(attacker.getByTestId(`user-${email}`)).toHaveCount(0);
  await attacker.goto("/datasets");
  await expect(attacker.getByRole("row", { name: /stolen/ })).toHaveCount(0);
  await attacker.context().close();
  await victim.context().close();
});

test("a session cookie kept after sign-out is worth nothing", async ({ browser, baseURL }) => {
  const page = await signedIn(browser, baseURL!, "analyst@org-b.example");
  const kept = await sessionCookieOf(page.context());
  // Out of reach of scripts, not sent by other sites' requests, and for the whole console.
  expect([kept.httpOnly, kept.sameSite, kept.path]).toEqual([true, "Lax", "/"]);
  await new SignInPage(page).signOut();
  const replay = await browser.newContext({ baseURL });
  await replay.addCookies([kept]);
  const replayed = await replay.newPage();
  await replayed.goto("/workbench");
  await expect(replayed).toHaveURL(/\/sign-in/);
  expect((await replayed.request.get("/api/datasets?name=x")).status()).toBe(401);
  await replay.close();
  await page.context().close();
});

test("no page of the console can be framed, sniffed or leak its address to another site", async ({ request }) => {
  for (const path of ["/sign-in", "/api/health", "/datasets"]) {
    const response = await request.get(path, { maxRedirects: 0 });
    const headers = response.headers();
    expect(headers["content-security-policy"], path).toMatch(/frame-ancestors 'none'/);
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("same-origin");
    // Plain HTTP never pins HTTPS; a request that came through a TLS proxy does.
    expect(headers["strict-transport-security"], path).toBeUndefined();
    const secure = await request.get(path, { maxRedirects: 0, headers: { "x-forwarded-proto": "https" } });
    expect(secure.headers()["strict-transport-security"], path).toBe("max-age=31536000");
  }
});
