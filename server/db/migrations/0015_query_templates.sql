ALTER TABLE "console_queries" ADD COLUMN "template_name" text;--> statement-breakpoint
ALTER TABLE "console_queries" ADD COLUMN "parameters" jsonb;