CREATE TABLE "local_cloud"."glue_crawlers" (
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"input" jsonb NOT NULL,
	"state" text DEFAULT 'READY' NOT NULL,
	"stop_requested" integer DEFAULT 0 NOT NULL,
	"last_crawl" jsonb,
	"crawl_started_at" timestamp with time zone,
	"crawl_elapsed_ms" bigint,
	"version" integer DEFAULT 1 NOT NULL,
	"creation_time" timestamp with time zone DEFAULT now() NOT NULL,
	"last_updated" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "glue_crawlers_account_id_name_pk" PRIMARY KEY("account_id","name")
);
--> statement-breakpoint
CREATE TABLE "local_cloud"."glue_databases" (
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"input" jsonb NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "glue_databases_account_id_name_pk" PRIMARY KEY("account_id","name")
);
--> statement-breakpoint
CREATE TABLE "local_cloud"."glue_tables" (
	"account_id" text NOT NULL,
	"database_name" text NOT NULL,
	"name" text NOT NULL,
	"input" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"version_id" integer DEFAULT 0 NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL,
	"update_time" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "glue_tables_account_id_database_name_name_pk" PRIMARY KEY("account_id","database_name","name")
);
