import { startConsole } from "./console-server";

/**
 * One console for the whole suite, on the embedded defaults (PGlite), as `npm start` runs it; a
 * dataset may hold at most 1 MB, so that the size limit can be tried with a small file.
 */
export default async function globalSetup() {
  const running = await startConsole({ SEED_DEMO: "true", DATASET_MAX_BYTES: String(1024 * 1024) });
  process.env.E2E_BASE_URL = running.baseURL;
  process.env.E2E_PORT = String(running.port);
  process.env.E2E_DATA_DIR = running.dataDir;
  process.env.E2E_CLOUD_PORT = String(running.cloudPort);
  return () => running.stop();
}
