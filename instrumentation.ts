// Next.js calls register() once per server process and waits for it before serving requests:
// the metadata store is migrated (and the demo seeded) before anything can use it. If that
// fails, the process stops with the reason, rather than serving without a store.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { boot } = await import("./server/boot");
  try {
    // Every request's client address from the socket and TRUSTED_PROXIES, never from what a client claims.
    (await import("./server/http/client-address")).installClientAddress();
    await boot();
  } catch (error) {
    console.error(`\nThe console cannot start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
