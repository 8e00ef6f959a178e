ALTER TABLE "console_queries" ADD COLUMN "privacy_measurements" integer;--> statement-breakpoint
ALTER TABLE "console_queries" ADD COLUMN "privacy_users_noise" integer;