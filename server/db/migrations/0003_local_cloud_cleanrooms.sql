CREATE TABLE "local_cloud"."cleanrooms_resources" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"account_id" text NOT NULL,
	"collaboration_id" text,
	"membership_id" text,
	"arn" text NOT NULL,
	"name" text NOT NULL,
	"body" jsonb NOT NULL,
	"tags" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL,
	"update_time" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "cleanrooms_resources_arn_unique" UNIQUE("arn")
);
--> statement-breakpoint
CREATE INDEX "cleanrooms_resources_kind_account_idx" ON "local_cloud"."cleanrooms_resources" USING btree ("kind","account_id");--> statement-breakpoint
CREATE INDEX "cleanrooms_resources_collaboration_idx" ON "local_cloud"."cleanrooms_resources" USING btree ("collaboration_id","kind");