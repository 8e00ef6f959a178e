// The local cloud: an AWS-compatible endpoint (S3, STS; Glue and Clean Rooms to follow) served
// from the console's process on 127.0.0.1:LOCAL_CLOUD_PORT. It owns the local_cloud schema of the
// metadata store and the object files under DATA_DIR/local-cloud. It knows nothing of the
// console's users or sessions: callers are AWS accounts, identified by SigV4 access keys.
import { localCloudPort } from "@/server/config";
import { log } from "@/server/log";
import { startLocalCloud, type LocalCloud } from "./server";
import { prepareBlobDirectories, sweepTemporaryFiles } from "./services/s3/blobs";
import { sweepAbandonedUploads } from "./services/s3/multipart";
import { liveBlobIds } from "./services/s3/store";
import { sweepColumnarCache } from "./services/cleanrooms/protected-queries/columnar-cache";
import { failInterruptedCrawls } from "./services/glue/store";
import { recoverProtectedQueries } from "./services/cleanrooms/protected-queries/runner";

const holder = globalThis as typeof globalThis & { __localCloud?: Promise<LocalCloud> };

/** Starts the endpoint once per process (development reloads included). */
export function ensureLocalCloud(): Promise<LocalCloud> {
  holder.__localCloud ??= (async () => {
    sweepTemporaryFiles();
    // In the background: a write whose directory is not made yet makes it itself.
    void prepareBlobDirectories().catch((error: unknown) => log("warn", "making the blob directories failed", { error }));
    await sweepAbandonedUploads();
    // Hourly while running, too: an upload abandoned today is gone tomorrow, restart or not.
    setInterval(() => void sweepAbandonedUploads().catch((error: unknown) => log("warn", "sweeping abandoned uploads failed", { error })), 60 * 60 * 1000).unref();
    await sweepColumnarCache(liveBlobIds);
    await failInterruptedCrawls();
    await recoverProtectedQueries();
    const port = localCloudPort();
    const cloud = await startLocalCloud({ port }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") throw new Error(`The local cloud cannot listen on 127.0.0.1:${port}: the port is in use. Stop the other process or set LOCAL_CLOUD_PORT.`);
      throw error;
    });
    log("info", "local cloud listening", { endpoint: `http://127.0.0.1:${cloud.port}` });
    return cloud;
  })();
  return holder.__localCloud;
}
