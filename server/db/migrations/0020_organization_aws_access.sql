CREATE TYPE "public"."aws_credential_source" AS ENUM('assume_role', 'default_chain');--> statement-breakpoint
CREATE TABLE "organization_aws_access" (
	"organization_id" uuid PRIMARY KEY NOT NULL,
	"credential_source" "aws_credential_source" DEFAULT 'assume_role' NOT NULL,
	"role_arn" text,
	"external_id" text NOT NULL,
	"region" text NOT NULL,
	"tested_at" timestamp with time zone,
	"tested_arn" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organization_aws_access" ADD CONSTRAINT "organization_aws_access_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;