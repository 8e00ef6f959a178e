CREATE TABLE "console_queries" (
	"id" text PRIMARY KEY NOT NULL,
	"organization_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"user_email" text NOT NULL,
	"collaboration_id" text NOT NULL,
	"membership_id" text NOT NULL,
	"sql" text NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"rows" integer,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "console_queries_organization_idx" ON "console_queries" USING btree ("organization_id","started_at");--> statement-breakpoint
CREATE INDEX "console_queries_user_idx" ON "console_queries" USING btree ("user_id","started_at");