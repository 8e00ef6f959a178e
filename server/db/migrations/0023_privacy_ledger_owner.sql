ALTER TABLE "local_cloud"."privacy_ledger" ADD COLUMN "owner_account_id" text;--> statement-breakpoint
UPDATE "local_cloud"."privacy_ledger" AS l SET "owner_account_id" = r."account_id" FROM "local_cloud"."cleanrooms_resources" AS r WHERE r."id" = l."template_id";--> statement-breakpoint
UPDATE "local_cloud"."privacy_ledger" SET "owner_account_id" = '' WHERE "owner_account_id" IS NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."privacy_ledger" ALTER COLUMN "owner_account_id" SET NOT NULL;--> statement-breakpoint
CREATE INDEX "privacy_ledger_owner_period_idx" ON "local_cloud"."privacy_ledger" USING btree ("collaboration_id","owner_account_id","period");
