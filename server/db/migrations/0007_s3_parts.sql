ALTER TABLE "local_cloud"."s3_objects" ADD COLUMN "upload_id" text;--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_objects" ADD COLUMN "part_sizes" jsonb;