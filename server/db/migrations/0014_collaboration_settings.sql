CREATE TABLE "collaboration_settings" (
	"organization_id" uuid NOT NULL,
	"collaboration_id" text NOT NULL,
	"quicksight_dashboard_url" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "collaboration_settings_organization_id_collaboration_id_pk" PRIMARY KEY("organization_id","collaboration_id")
);
