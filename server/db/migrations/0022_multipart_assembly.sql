ALTER TABLE "local_cloud"."s3_multipart_parts" ADD COLUMN "offset" bigint;--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_multipart_uploads" ADD COLUMN "assembly" text;--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_multipart_uploads" ADD COLUMN "stride" bigint;--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_multipart_uploads" ADD COLUMN "claimed" integer[] DEFAULT '{}'::integer[] NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_multipart_uploads" ADD COLUMN "sealed" boolean DEFAULT false NOT NULL;