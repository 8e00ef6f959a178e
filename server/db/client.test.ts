import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, expect, it } from "vitest";
import { countOrganizations } from "@/server/organizations/store";
import { seedDemo } from "@/server/seed/demo";
import { listUsers } from "@/server/users/store";
import { describeEachDatabase } from "@/server/testing/databases";
import { createPostgresDatabase } from "@/server/testing/postgres";
import { getDatabase, openDatabase, queryRows, setProcessDatabase } from "./client";

describeEachDatabase("metadata store", (kind) => {
  it(`reports itself as ${kind}`, async () => {
    expect((await getDatabase()).kind).toBe(kind);
  });

  it("seeds the demo once, and never over existing data", async () => {
    expect(await seedDemo()).toBe(true);
    expect(await seedDemo()).toBe(false);
    expect(await countOrganizations()).toBe(2);
    const { db } = await getDatabase();
    const [orgA] = await queryRows<{ id: string }>(db, sql`select id from organizations where slug = 'org-a'`);
    const members = await listUsers({ orgId: orgA!.id });
    expect(members.map((m) => [m.email, m.role])).toEqual([
      ["admin@org-a.example", "admin"],
      ["analyst@org-a.example", "analyst"],
      ["owner@org-a.example", "data_owner"],
    ]);
  });
});

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

it("keeps PGlite data in its directory across restarts, migrating only once", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cleanrooms-pglite-"));
  tmpDirs.push(dir);
  const first = await openDatabase({ pgliteDir: dir });
  await setProcessDatabase(first);
  await seedDemo();
  await setProcessDatabase(undefined);

  const second = await openDatabase({ pgliteDir: dir });
  await setProcessDatabase(second);
  expect(await countOrganizations()).toBe(2);
  const [applied] = await queryRows<{ n: number }>(second.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  expect(applied!.n).toBe(fs.readdirSync(path.join("server", "db", "migrations")).filter((f) => f.endsWith(".sql")).length);
  await setProcessDatabase(undefined);
});

it("lets several instances migrate one PostgreSQL database at once", async () => {
  const created = await createPostgresDatabase();
  try {
    const instances = await Promise.all([1, 2, 3].map(() => openDatabase({ url: created.url })));
    // Each table made once, whoever won the race to migrate.
    const tables = await queryRows<{ name: string }>(instances[0]!.db, sql`select table_name as name from information_schema.tables where table_schema = 'public' order by table_name`);
    expect(tables.map((t) => t.name)).toEqual(["audit_log", "collaboration_settings", "console_queries", "console_sessions", "organization_aws_access", "organizations", "sign_in_failures", "users"]);
    await Promise.all(instances.map((instance) => instance.close()));
  } finally {
    await created.drop();
  }
});
