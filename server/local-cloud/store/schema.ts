import { bigint, integer, jsonb, pgSchema, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

// The local cloud's own tables, in a schema of their own: they describe AWS resources by account
// id and know nothing of the console's organizations and users.
export const localCloud = pgSchema("local_cloud");

export const accessKeys = localCloud.table("access_keys", {
  // The secret is not stored: it is derived from this id and the server secret (see access-keys.ts).
  accessKeyId: text("access_key_id").primaryKey(),
  accountId: text("account_id").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const s3Buckets = localCloud.table("s3_buckets", {
  name: text("name").primaryKey(),
  accountId: text("account_id").notNull(),
  region: text("region").notNull(),
  versioning: text("versioning"),
  // The ServerSideEncryptionConfiguration XML as sent, reported back by GetBucketEncryption.
  encryption: text("encryption"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export interface StoredChecksum {
  algorithm: "CRC32" | "CRC32C" | "SHA1" | "SHA256";
  value: string;
}

export const s3Objects = localCloud.table(
  "s3_objects",
  {
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    // The file under DATA_DIR/local-cloud/blobs holding the bytes; never derived from the key.
    blob: text("blob").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    etag: text("etag").notNull(),
    contentType: text("content_type").notNull(),
    headers: jsonb("headers").$type<Record<string, string>>().notNull(),
    metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
    checksum: jsonb("checksum").$type<StoredChecksum | null>(),
    partsCount: integer("parts_count"),
    lastModified: timestamp("last_modified", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.key] })],
);

export const s3MultipartUploads = localCloud.table("s3_multipart_uploads", {
  uploadId: text("upload_id").primaryKey(),
  bucket: text("bucket").notNull(),
  key: text("key").notNull(),
  contentType: text("content_type").notNull(),
  headers: jsonb("headers").$type<Record<string, string>>().notNull(),
  metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
  checksumAlgorithm: text("checksum_algorithm"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const s3MultipartParts = localCloud.table(
  "s3_multipart_parts",
  {
    uploadId: text("upload_id").notNull(),
    partNumber: integer("part_number").notNull(),
    blob: text("blob").notNull(),
    size: bigint("size", { mode: "number" }).notNull(),
    etag: text("etag").notNull(),
    checksum: jsonb("checksum").$type<StoredChecksum | null>(),
    lastModified: timestamp("last_modified", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.partNumber] })],
);
