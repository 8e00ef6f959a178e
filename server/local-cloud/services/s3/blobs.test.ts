import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobPath, blobRoot, commitBlob, newTempPath, prepareBlobDirectories } from "./blobs";

describe("the blob store", () => {
  const before = process.env.DATA_DIR;
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-blobs-"));
    process.env.DATA_DIR = dir;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.DATA_DIR;
    else process.env.DATA_DIR = before;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const written = (text: string) => {
    const temp = newTempPath();
    fs.writeFileSync(temp, text);
    return temp;
  };

  it("moves a finished file into place, making its directory when it is missing", async () => {
    const first = await commitBlob(written("one"));
    expect(fs.readFileSync(blobPath(first), "utf8")).toBe("one");
    // Every directory of the store removed: the next move makes its own again.
    fs.rmSync(path.join(blobRoot(), "blobs"), { recursive: true, force: true });
    const second = await commitBlob(written("two"));
    expect(fs.readFileSync(blobPath(second), "utf8")).toBe("two");
    const third = await commitBlob(written("three"));
    expect(fs.readFileSync(blobPath(third), "utf8")).toBe("three");
  });

  it("makes every directory blobs are spread over ahead, keeping what they hold", async () => {
    const kept = await commitBlob(written("kept"));
    await prepareBlobDirectories();
    const made = fs.readdirSync(path.join(blobRoot(), "blobs"));
    expect(made).toHaveLength(256);
    expect(made).toContain("00");
    expect(made).toContain("ff");
    expect(fs.readFileSync(blobPath(kept), "utf8")).toBe("kept");
  });

  it("fails, making nothing, when the file to move is not there", async () => {
    const missing = path.join(blobRoot(), "tmp", "never-written");
    await expect(commitBlob(missing)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
