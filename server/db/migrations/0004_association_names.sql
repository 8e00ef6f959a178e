-- Association names are SQL table names, which are case-insensitive. Stores made before this
-- migration may hold two associations of one collaboration whose names differ only in letter
-- case; the later one is renamed (its id's first characters appended) so the unique index holds.
UPDATE "local_cloud"."cleanrooms_resources" AS r SET "name" = r."name" || '_' || substr(r."id", 1, 8)
WHERE r."kind" = 'association' AND EXISTS (
  SELECT 1 FROM "local_cloud"."cleanrooms_resources" AS o
  WHERE o."kind" = 'association' AND o."collaboration_id" = r."collaboration_id" AND lower(o."name") = lower(r."name") AND (o."create_time", o."id") < (r."create_time", r."id")
);--> statement-breakpoint
CREATE UNIQUE INDEX "cleanrooms_association_name_idx" ON "local_cloud"."cleanrooms_resources" USING btree ("collaboration_id",lower("name")) WHERE "local_cloud"."cleanrooms_resources"."kind" = 'association';
