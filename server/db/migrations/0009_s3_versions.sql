CREATE TABLE "local_cloud"."s3_object_versions" (
	"sequence" bigserial PRIMARY KEY NOT NULL,
	"bucket" text NOT NULL,
	"key" text NOT NULL,
	"version_id" text NOT NULL,
	"is_delete_marker" boolean DEFAULT false NOT NULL,
	"blob" text,
	"size" bigint DEFAULT 0 NOT NULL,
	"etag" text,
	"content_type" text,
	"headers" jsonb,
	"metadata" jsonb,
	"checksum" jsonb,
	"parts_count" integer,
	"tags" jsonb,
	"part_sizes" jsonb,
	"last_modified" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "local_cloud"."s3_objects" ADD COLUMN "version_id" text;--> statement-breakpoint
CREATE UNIQUE INDEX "s3_object_versions_key_idx" ON "local_cloud"."s3_object_versions" USING btree ("bucket","key","version_id");--> statement-breakpoint
CREATE INDEX "s3_object_versions_order_idx" ON "local_cloud"."s3_object_versions" USING btree ("bucket","key","sequence");