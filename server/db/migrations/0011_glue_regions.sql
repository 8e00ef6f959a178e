ALTER TABLE "local_cloud"."glue_crawlers" DROP CONSTRAINT "glue_crawlers_account_id_name_pk";--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_databases" DROP CONSTRAINT "glue_databases_account_id_name_pk";--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_partitions" DROP CONSTRAINT "glue_partitions_account_id_database_name_table_name_values_key_pk";--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_table_versions" DROP CONSTRAINT "glue_table_versions_account_id_database_name_name_version_id_pk";--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_tables" DROP CONSTRAINT "glue_tables_account_id_database_name_name_pk";--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_crawlers" ADD COLUMN "region" text DEFAULT 'us-east-1' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_databases" ADD COLUMN "region" text DEFAULT 'us-east-1' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_partitions" ADD COLUMN "region" text DEFAULT 'us-east-1' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_table_versions" ADD COLUMN "region" text DEFAULT 'us-east-1' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_tables" ADD COLUMN "region" text DEFAULT 'us-east-1' NOT NULL;--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_crawlers" ADD CONSTRAINT "glue_crawlers_account_id_region_name_pk" PRIMARY KEY("account_id","region","name");--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_databases" ADD CONSTRAINT "glue_databases_account_id_region_name_pk" PRIMARY KEY("account_id","region","name");--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_partitions" ADD CONSTRAINT "glue_partitions_account_id_region_database_name_table_name_values_key_pk" PRIMARY KEY("account_id","region","database_name","table_name","values_key");--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_table_versions" ADD CONSTRAINT "glue_table_versions_account_id_region_database_name_name_version_id_pk" PRIMARY KEY("account_id","region","database_name","name","version_id");--> statement-breakpoint
ALTER TABLE "local_cloud"."glue_tables" ADD CONSTRAINT "glue_tables_account_id_region_database_name_name_pk" PRIMARY KEY("account_id","region","database_name","name");
