// Next.js calls register() once per server process and waits for it before serving requests:
// the metadata store is migrated (and the demo seeded) before anything can use it.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { boot } = await import("./server/boot");
  await boot();
}
