ALTER TABLE "local_cloud"."s3_buckets" ADD COLUMN "tags" jsonb;--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_multipart_uploads" ADD COLUMN "tags" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_objects" ADD COLUMN "tags" jsonb DEFAULT '{}'::jsonb NOT NULL;