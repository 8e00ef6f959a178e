CREATE SCHEMA "local_cloud";
--> statement-breakpoint
CREATE TABLE "local_cloud"."access_keys" (
	"access_key_id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "local_cloud"."s3_buckets" (
	"name" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"region" text NOT NULL,
	"versioning" text,
	"encryption" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "local_cloud"."s3_multipart_parts" (
	"upload_id" text NOT NULL,
	"part_number" integer NOT NULL,
	"blob" text NOT NULL,
	"size" bigint NOT NULL,
	"etag" text NOT NULL,
	"checksum" jsonb,
	"last_modified" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "s3_multipart_parts_upload_id_part_number_pk" PRIMARY KEY("upload_id","part_number")
);
--> statement-breakpoint
CREATE TABLE "local_cloud"."s3_multipart_uploads" (
	"upload_id" text PRIMARY KEY NOT NULL,
	"bucket" text NOT NULL,
	"key" text NOT NULL,
	"content_type" text NOT NULL,
	"headers" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"checksum_algorithm" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "local_cloud"."s3_objects" (
	"bucket" text NOT NULL,
	"key" text NOT NULL,
	"blob" text NOT NULL,
	"size" bigint NOT NULL,
	"etag" text NOT NULL,
	"content_type" text NOT NULL,
	"headers" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"checksum" jsonb,
	"parts_count" integer,
	"last_modified" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "s3_objects_bucket_key_pk" PRIMARY KEY("bucket","key")
);
