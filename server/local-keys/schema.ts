import { pgSchema, text, timestamp } from "drizzle-orm/pg-core";

// The local cloud's access keys: the one table both sides read. The local cloud verifies
// signatures with them; the console signs its SDK requests with them (server/aws). The table lives
// in the local cloud's schema, where it has always been.
const localCloud = pgSchema("local_cloud");

export const accessKeys = localCloud.table("access_keys", {
  // The secret is not stored: it is derived from this id and the server secret (see access-keys.ts).
  accessKeyId: text("access_key_id").primaryKey(),
  accountId: text("account_id").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
