CREATE TABLE "local_cloud"."glue_table_versions" (
	"account_id" text NOT NULL,
	"database_name" text NOT NULL,
	"name" text NOT NULL,
	"version_id" integer NOT NULL,
	"input" jsonb NOT NULL,
	"update_time" timestamp with time zone NOT NULL,
	CONSTRAINT "glue_table_versions_account_id_database_name_name_version_id_pk" PRIMARY KEY("account_id","database_name","name","version_id")
);
