CREATE TABLE "local_cloud"."privacy_ledger" (
	"query_id" text PRIMARY KEY NOT NULL,
	"template_id" text NOT NULL,
	"collaboration_id" text NOT NULL,
	"period" text NOT NULL,
	"measurements" integer NOT NULL,
	"users_noise_per_query" integer NOT NULL,
	"refunded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "privacy_ledger_template_period_idx" ON "local_cloud"."privacy_ledger" USING btree ("template_id","period");