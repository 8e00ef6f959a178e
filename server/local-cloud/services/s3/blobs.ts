import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { pipeline } from "node:stream/promises";
import { dataDir } from "@/server/config";

// Object bytes live in files named by random ids, never by bucket or key, so no key can reach a
// path outside the data directory. A file is written under tmp/ and renamed into blobs/ only when
// complete: a reader never sees half an object, and a crash leaves only a stray temporary file.

export function blobRoot(): string {
  return path.join(dataDir(), "local-cloud", "s3");
}

export function blobPath(blob: string): string {
  if (!/^[0-9a-f]{32}$/.test(blob)) throw new Error("not a blob id");
  return path.join(blobRoot(), "blobs", blob.slice(0, 2), blob);
}

export function newTempPath(): string {
  const dir = path.join(blobRoot(), "tmp");
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, randomBytes(16).toString("hex"));
}

/**
 * Makes the 256 directories blobs are spread over, one after another on the thread pool, so that
 * a write does not make one on its way: creating a directory costs this kind of machine's file
 * system up to a millisecond of system time, and without this the first few hundred objects and
 * query results of a new data directory each pay it. Those that exist cost a look each.
 */
export async function prepareBlobDirectories(): Promise<void> {
  for (let i = 0; i < 256; i++) await fs.promises.mkdir(path.join(blobRoot(), "blobs", i.toString(16).padStart(2, "0")), { recursive: true });
}

/** Moves a finished temporary file into place and returns its blob id. */
export async function commitBlob(tempPath: string): Promise<string> {
  const blob = randomBytes(16).toString("hex");
  const target = blobPath(blob);
  // Its directory (one of 256) nearly always exists: it is made only when the move says it is
  // missing. Both are system calls of microseconds, made on this thread: a trip through the
  // thread pool would cost more (a wake-up of another thread) than the call itself.
  try {
    fs.renameSync(tempPath, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || !fs.existsSync(tempPath)) throw error;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.renameSync(tempPath, target);
  }
  return blob;
}

/** commitBlob, removing the temporary file if the move fails. */
export async function commitOrDiscard(tempPath: string): Promise<string> {
  try {
    return await commitBlob(tempPath);
  } catch (error) {
    await removeTemp(tempPath);
    throw error;
  }
}

export async function removeBlob(blob: string | null | undefined): Promise<void> {
  if (!blob) return;
  await fs.promises.rm(blobPath(blob), { force: true });
}

export async function removeTemp(tempPath: string): Promise<void> {
  await fs.promises.rm(tempPath, { force: true });
}

/** Temporary files left by a crash are incomplete by definition. */
export function sweepTemporaryFiles(): void {
  fs.rmSync(path.join(blobRoot(), "tmp"), { recursive: true, force: true });
}

// Parts per `cat`: far below the length a command line may have (paths are about 90 characters).
const CAT_BATCH = 1000;

/** A file, or `length` bytes of one from `offset` (a part in its upload's assembly). */
export type FilePiece = string | { path: string; offset: number; length: number };

/**
 * Writes the pieces one after another into `target` (a multipart upload's parts into its
 * object). On Linux `cat` copies whole files inside the kernel (copy_file_range), without the
 * bytes passing through this process: a gigabyte takes about a quarter of a second instead of
 * two, and the event loop stays free. Where `cat` cannot do it, or pieces are parts of files, the
 * bytes are streamed through here instead.
 */
export async function concatenateFiles(pieces: FilePiece[], target: string): Promise<void> {
  const files = pieces.filter((p): p is string => typeof p === "string");
  try {
    if (files.length < pieces.length) throw new Error("pieces of files are streamed");
    for (let i = 0; i < files.length; i += CAT_BATCH) await catInto(files.slice(i, i + CAT_BATCH), target, i === 0 ? "w" : "a");
  } catch {
    const out = fs.createWriteStream(target, { highWaterMark: 1024 * 1024 });
    await pipeline(async function* () {
      for (const piece of pieces) {
        const read =
          typeof piece === "string"
            ? fs.createReadStream(piece, { highWaterMark: 1024 * 1024 })
            : piece.length === 0
              ? []
              : fs.createReadStream(piece.path, { highWaterMark: 1024 * 1024, start: piece.offset, end: piece.offset + piece.length - 1 });
        for await (const chunk of read) yield chunk as Buffer;
      }
    }, out);
  }
}

/** A new empty blob (a multipart upload's assembly, which its parts are written into). */
export async function newEmptyBlob(): Promise<string> {
  const temp = newTempPath();
  fs.writeFileSync(temp, "");
  return commitOrDiscard(temp);
}

async function catInto(files: string[], target: string, flags: "w" | "a"): Promise<void> {
  const out = await fs.promises.open(target, flags);
  try {
    await new Promise<void>((resolve, reject) => {
      // No shell: the arguments are our own blob paths, passed as they are.
      const child = spawn("cat", ["--", ...files], { stdio: ["ignore", out.fd, "ignore"] });
      child.once("error", reject);
      child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`cat exited with ${code}`))));
    });
  } finally {
    await out.close();
  }
}
