CREATE TABLE "local_cloud"."iam_roles" (
	"account_id" text NOT NULL,
	"role_name" text NOT NULL,
	"role_id" text NOT NULL,
	"path" text NOT NULL,
	"description" text,
	"trust_policy" text NOT NULL,
	"max_session_duration" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "iam_roles_account_id_role_name_pk" PRIMARY KEY("account_id","role_name"),
	CONSTRAINT "iam_roles_role_id_unique" UNIQUE("role_id")
);
--> statement-breakpoint
CREATE TABLE "local_cloud"."sts_sessions" (
	"access_key_id" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"role_name" text NOT NULL,
	"role_id" text NOT NULL,
	"session_name" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "iam_roles_name_idx" ON "local_cloud"."iam_roles" USING btree ("account_id",lower("role_name"));--> statement-breakpoint
CREATE INDEX "sts_sessions_expiry_idx" ON "local_cloud"."sts_sessions" USING btree ("expires_at");