ALTER TABLE "local_cloud"."sts_sessions" ADD COLUMN "caller_account" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."sts_sessions" ADD COLUMN "caller_arns" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."sts_sessions" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "local_cloud"."sts_sessions" ADD COLUMN "parent_access_key_id" text;