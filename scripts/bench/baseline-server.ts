// The yardstick for the local S3: a minimal HTTP server that receives a body, hashes it with
// SHA-256 and writes it to disk (PUT), or streams a file back (GET). Nothing else.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import { pipeline } from "node:stream/promises";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-baseline-"));
const server = http.createServer(async (req, res) => {
  const file = path.join(dir, "object");
  if (req.method === "PUT") {
    const hash = createHash("sha256");
    await pipeline(
      req,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          hash.update(chunk);
          yield chunk;
        }
      },
      fs.createWriteStream(file),
    );
    res.writeHead(200, { etag: hash.digest("hex") });
    res.end();
  } else {
    const size = fs.statSync(file).size;
    res.writeHead(200, { "content-length": String(size) });
    await pipeline(fs.createReadStream(file, { highWaterMark: 1024 * 1024 }), res);
  }
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`);
});
process.on("SIGTERM", () => {
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
});
