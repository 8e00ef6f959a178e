import { startConsole } from "./console-server";

/** One console for the whole suite, on the embedded defaults (PGlite), as `npm start` runs it. */
export default async function globalSetup() {
  const running = await startConsole({ SEED_DEMO: "true" });
  process.env.E2E_BASE_URL = running.baseURL;
  process.env.E2E_PORT = String(running.port);
  process.env.E2E_DATA_DIR = running.dataDir;
  return () => running.stop();
}
