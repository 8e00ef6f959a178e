import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { NextResponse } from "next/server";
import { AppError } from "@/lib/errors";
import { formatBytes } from "@/lib/format";
import { recordAudit } from "@/server/audit/audit";
import { route } from "@/server/auth/route";
import { uploadDataset } from "@/server/datasets/datasets";

// POST /api/datasets/upload?name=<dataset>&filename=<file>: the file's bytes are the body. The
// browser sends them here (not to the storage endpoint, which listens on loopback only) and the
// server streams them on as a multipart upload, so neither side ever holds the whole file.
export const POST = route({ permission: "datasets.manage" }, async (request, actor) => {
  const url = new URL(request.url);
  const name = url.searchParams.get("name") ?? "";
  const filename = url.searchParams.get("filename") ?? "";
  if (!request.body) throw new AppError("invalid", "Choose a file to upload.", { file: ["Choose a file to upload."] });
  const body = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
  const audit = (outcome: "success" | "error", detail: Record<string, unknown>) =>
    recordAudit({ organizationId: actor.orgId, userId: actor.userId, userEmail: actor.email, action: "datasets.upload", target: name, outcome, detail: { filename, ...detail } });
  const result = await uploadDataset(actor, { name, filename, body, signal: request.signal }).catch(async (error: unknown) => {
    await audit("error", { message: error instanceof Error ? error.message : "failed" });
    throw error;
  });
  const message = `Uploaded ${result.name}: ${result.rows ? `${result.rows.toLocaleString("en")} rows, ${result.columns.length} columns, ` : ""}${formatBytes(result.bytes)}. Cataloguing has started.`;
  await audit("success", { message, bytes: result.bytes, rows: result.rows, columns: result.columns });
  return NextResponse.json({ message, dataset: result });
});
