import { defineConfig } from "drizzle-kit";

// Generates the SQL migrations committed in server/db/migrations (npm run db:generate).
export default defineConfig({
  dialect: "postgresql",
  schema: ["./server/db/schema.ts", "./server/local-keys/schema.ts", "./server/local-cloud/store/schema.ts"],
  out: "./server/db/migrations",
});
