import { createHash, createHmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { STSClient } from "@aws-sdk/client-sts";
import { GlueClient } from "@aws-sdk/client-glue";
import { CleanRoomsClient } from "@aws-sdk/client-cleanrooms";
import { setProcessDatabase } from "@/server/db/client";
import { getOrganizationBySlug } from "@/server/organizations/store";
import { seedDemo } from "@/server/seed/demo";
import { openTestDatabase } from "@/server/testing/databases";
import { accessKeyForAccount } from "@/server/local-keys/access-keys";
import { startLocalCloud } from "./server";

/**
 * A local cloud on a free loopback port, over a fresh store seeded with the demo organizations,
 * and SDK clients that talk to it as a given organization.
 */
export async function startTestCloud(options: { store?: "pglite" | "postgres" } = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-cloud-"));
  process.env.DATA_DIR = dataDir;
  process.env.LOCAL_CLOUD_SECRET = "test-secret-for-the-local-cloud-0123456789";
  await setProcessDatabase(await openTestDatabase(options.store ?? "pglite"));
  await seedDemo();
  const cloud = await startLocalCloud({ port: 0 });
  const endpoint = `http://127.0.0.1:${cloud.port}`;

  async function credentials(slug: string) {
    const organization = await getOrganizationBySlug({ slug });
    if (!organization) throw new Error(`no organization ${slug}`);
    const key = await accessKeyForAccount({ accountId: organization.awsAccountId });
    return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, accountId: organization.awsAccountId };
  }

  const common = async (slug: string) => {
    const { accessKeyId, secretAccessKey } = await credentials(slug);
    return { endpoint, region: "us-east-1", credentials: { accessKeyId, secretAccessKey } };
  };

  return {
    endpoint,
    dataDir,
    credentials,
    s3: async (slug: string) => new S3Client({ ...(await common(slug)), forcePathStyle: true }),
    sts: async (slug: string) => new STSClient(await common(slug)),
    glue: async (slug: string) => new GlueClient(await common(slug)),
    cleanrooms: async (slug: string) => new CleanRoomsClient(await common(slug)),
    async close() {
      await cloud.close();
      await setProcessDatabase(undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestCloud = Awaited<ReturnType<typeof startTestCloud>>;

const toBytes = (data: string | ArrayBuffer | ArrayBufferView): string | Buffer =>
  typeof data === "string" ? data : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

class NodeSha256 {
  private hash: import("node:crypto").Hash | import("node:crypto").Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac("sha256", toBytes(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(toBytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
  reset() {}
}

/**
 * A correctly signed request with any body, for the inputs an SDK would never send
 * (malformed JSON or XML, wrong types, oversized bodies).
 */
export async function signedFetch(
  cloud: TestCloud,
  slug: string,
  request: { service: string; method: string; path: string; query?: Record<string, string>; headers?: Record<string, string>; body?: string | Buffer; sendBody?: string | Buffer; signingDate?: Date },
): Promise<Response> {
  const { accessKeyId, secretAccessKey } = await cloud.credentials(slug);
  const url = new URL(cloud.endpoint);
  const body = request.body ?? "";
  const signer = new SignatureV4({ service: request.service, region: "us-east-1", credentials: { accessKeyId, secretAccessKey }, sha256: NodeSha256, uriEscapePath: request.service !== "s3" });
  const headers: Record<string, string> = { host: url.host, ...request.headers };
  if (request.service === "s3") headers["x-amz-content-sha256"] = createHash("sha256").update(body).digest("hex");
  const signed = await signer.sign(
    { method: request.method, protocol: "http:", hostname: url.hostname, port: Number(url.port), path: request.path, query: request.query ?? {}, headers, body },
    request.signingDate ? { signingDate: request.signingDate } : {},
  );
  const query = new URLSearchParams(request.query ?? {}).toString();
  return fetch(`${cloud.endpoint}${request.path}${query ? `?${query}` : ""}`, {
    method: request.method,
    headers: signed.headers,
    body: request.method === "GET" || request.method === "HEAD" ? undefined : ((request.sendBody ?? body) as BodyInit),
  });
}
