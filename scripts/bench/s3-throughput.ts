import http from "node:http";
import { Readable } from "node:stream";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { startChild } from "./child";

// S3 throughput on loopback: PutObject and GetObject of 100 MB through the SDK against the local
// cloud, side by side with a minimal server that only hashes and writes (or reads) the body.

const MB = 1024 * 1024;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function time(run: () => Promise<void>, repeat: number): Promise<number> {
  const seconds: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = process.hrtime.bigint();
    await run();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return median(seconds);
}

function baselinePut(port: number, body: Buffer) {
  return new Promise<void>((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "PUT", path: "/object", headers: { "content-length": body.length } }, (res) => {
      res.resume();
      res.on("end", resolve);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function baselineGet(port: number) {
  return new Promise<void>((resolve, reject) => {
    http
      .get({ host: "127.0.0.1", port, path: "/object" }, (res) => {
        res.on("data", () => {});
        res.on("end", resolve);
      })
      .on("error", reject);
  });
}

export async function s3Throughput({ sizeMb = 100, repeat = 3, uploadGb = 1 } = {}) {
  const body = Buffer.alloc(sizeMb * MB, 0x5a);
  const baseline = await startChild<{ port: number }>("scripts/bench/baseline-server.ts");
  const cloud = await startChild<{ port: number; credentials: { a: { accessKeyId: string; secretAccessKey: string } } }>("scripts/bench/cloud-server.ts");
  try {
    const s3 = new S3Client({ endpoint: `http://127.0.0.1:${cloud.info.port}`, region: "us-east-1", forcePathStyle: true, credentials: cloud.info.credentials.a });
    await s3.send(new CreateBucketCommand({ Bucket: "bench" }));
    const rows: { operation: string; baseline: number; cloud: number }[] = [];
    // Alternate the two so that neither gets a quieter machine.
    const basePut = await time(() => baselinePut(baseline.info.port, body), repeat);
    const cloudPut = await time(async () => void (await s3.send(new PutObjectCommand({ Bucket: "bench", Key: "object", Body: body }))), repeat);
    rows.push({ operation: `PutObject ${sizeMb} MB`, baseline: sizeMb / basePut, cloud: sizeMb / cloudPut });
    const baseGet = await time(() => baselineGet(baseline.info.port), repeat);
    const cloudGet = await time(async () => {
      const got = await s3.send(new GetObjectCommand({ Bucket: "bench", Key: "object" }));
      for await (const chunk of got.Body as Readable) void chunk;
    }, repeat);
    rows.push({ operation: `GetObject ${sizeMb} MB`, baseline: sizeMb / baseGet, cloud: sizeMb / cloudGet });

    // A large multipart upload, streamed: the server's memory must not grow with the object.
    cloud.resetPeak();
    const before = cloud.memory().rss;
    const block = Buffer.alloc(MB, 0x33);
    const total = uploadGb * 1024;
    const source = Readable.from(
      (function* () {
        for (let i = 0; i < total; i++) yield block;
      })(),
    );
    await new Upload({ client: s3, params: { Bucket: "bench", Key: "large", Body: source }, partSize: 16 * MB, queueSize: 2 }).done();
    const memoryGrowthMb = (cloud.memory().peak - before) / MB;
    return { rows, uploadGb, memoryGrowthMb };
  } finally {
    baseline.stop();
    cloud.stop();
  }
}
