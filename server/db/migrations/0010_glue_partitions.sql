CREATE TABLE "local_cloud"."glue_partitions" (
	"account_id" text NOT NULL,
	"database_name" text NOT NULL,
	"table_name" text NOT NULL,
	"values_key" text NOT NULL,
	"values" jsonb NOT NULL,
	"input" jsonb NOT NULL,
	"create_time" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "glue_partitions_account_id_database_name_table_name_values_key_pk" PRIMARY KEY("account_id","database_name","table_name","values_key")
);
