import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { createHash, randomBytes } from "node:crypto";
import { afterAll, expect, it } from "vitest";
import { uint32Base64 } from "./checksums";
import { digestAsWritten } from "./digest-worker";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "digest-worker-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const hash = (algorithm: string, data: Buffer, encoding: "hex" | "base64") => createHash(algorithm).update(data).digest(encoding);

it("digests a body batch by batch as it is written, as a whole read would", async () => {
  const body = randomBytes(9 * 1024 * 1024 + 12_345);
  for (const checksum of ["CRC32", "SHA1", "SHA256", null]) {
    const file = path.join(dir, `body-${checksum}`);
    const fd = fs.openSync(file, "w");
    const digests = digestAsWritten(file, { sha256: true, checksum });
    // Batches of uneven sizes, each told once it is written.
    let at = 0;
    for (const size of [1, 1024 * 1024, 3 * 1024 * 1024 + 7, 5 * 1024 * 1024]) {
      fs.writeSync(fd, body.subarray(at, at + size), 0, Math.min(size, body.length - at), at);
      at = Math.min(body.length, at + size);
      digests.written(at);
    }
    fs.writeSync(fd, body.subarray(at), 0, body.length - at, at);
    fs.closeSync(fd);
    const got = await digests.finish(body.length);
    expect(got.md5.toString("hex")).toBe(hash("md5", body, "hex"));
    expect(got.sha256).toBe(hash("sha256", body, "hex"));
    const expected = checksum === "CRC32" ? uint32Base64(zlib.crc32(body)) : checksum ? hash(checksum.toLowerCase(), body, "base64") : null;
    expect(got.checksum).toBe(expected);
  }
});

it("digests only its place in a shared file", async () => {
  const file = path.join(dir, "assembly");
  const before = Buffer.alloc(4096, 1);
  const part = randomBytes(2 * 1024 * 1024);
  fs.writeFileSync(file, Buffer.concat([before, part, Buffer.alloc(100, 2)]));
  const digests = digestAsWritten(file, { offset: before.length });
  digests.written(before.length + 1024 * 1024);
  const got = await digests.finish(before.length + part.length);
  expect(got.md5.toString("hex")).toBe(hash("md5", part, "hex"));
  expect(got.sha256).toBeNull();
});

it("fails a body whose file holds fewer bytes than it was told, and lets an aborted one go", async () => {
  const file = path.join(dir, "short");
  fs.writeFileSync(file, Buffer.alloc(1000));
  const short = digestAsWritten(file);
  short.written(2000);
  await expect(short.finish(2000)).rejects.toThrow(/digesting a body failed/);
  // An aborted body's file may be removed; the worker goes on with the next.
  const aborted = digestAsWritten(path.join(dir, "never-made"));
  aborted.written(10);
  aborted.abort();
  const next = digestAsWritten(file);
  expect((await next.finish(1000)).md5.toString("hex")).toBe(hash("md5", Buffer.alloc(1000), "hex"));
});
