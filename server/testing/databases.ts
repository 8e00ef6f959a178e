import { afterAll, beforeAll, describe } from "vitest";
import { openDatabase, setProcessDatabase, type Database, type DbKind } from "@/server/db/client";
import { createPostgresDatabase } from "./postgres";

// Data-layer tests run on both stores the product supports: the embedded PGlite and this
// machine's PostgreSQL. Each run gets a database of its own, so runs cannot collide.
export async function openTestDatabase(kind: DbKind): Promise<Database> {
  if (kind === "pglite") return openDatabase({ pgliteDir: "memory://" });
  const created = await createPostgresDatabase();
  const database = await openDatabase({ url: created.url });
  return {
    ...database,
    async close() {
      await database.close();
      await created.drop();
    },
  };
}

/** Runs a suite once per store, with that store as the process's database. */
export function describeEachDatabase(name: string, suite: (kind: DbKind) => void): void {
  for (const kind of ["pglite", "postgres"] as const) {
    describe(`${name} [${kind}]`, () => {
      beforeAll(async () => {
        await setProcessDatabase(await openTestDatabase(kind));
      });
      afterAll(async () => {
        await setProcessDatabase(undefined);
      });
      suite(kind);
    });
  }
}
