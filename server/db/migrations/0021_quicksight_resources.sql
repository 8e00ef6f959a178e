CREATE TABLE "local_cloud"."quicksight_resources" (
	"account_id" text NOT NULL,
	"kind" text NOT NULL,
	"resource_id" text NOT NULL,
	"name" text NOT NULL,
	"body" jsonb NOT NULL,
	"permissions" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "quicksight_resources_account_id_kind_resource_id_pk" PRIMARY KEY("account_id","kind","resource_id")
);
