import { sql } from "drizzle-orm";
import { bigint, bigserial, boolean, index, integer, jsonb, pgSchema, primaryKey, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

// The local cloud's own tables, in a schema of their own: they describe AWS resources by account
// id and know nothing of the console's organizations and users.
export const localCloud = pgSchema("local_cloud");

export const s3Buckets = localCloud.table("s3_buckets", {
  name: text("name").primaryKey(),
  accountId: text("account_id").notNull(),
  region: text("region").notNull(),
  versioning: text("versioning"),
  // The ServerSideEncryptionConfiguration XML as sent, reported back by GetBucketEncryption.
  encryption: text("encryption"),
  // The bucket's tag set; null when it has none (GetBucketTagging then answers NoSuchTagSet).
  tags: jsonb("tags").$type<Record<string, string> | null>(),
  // The bucket's CORS rules as PutBucketCors gave them; null when it has none.
  cors: jsonb("cors").$type<CorsRule[] | null>(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export interface CorsRule {
  id?: string;
  allowedOrigins: string[];
  allowedMethods: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

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
    // The current version's id in a bucket that has had versioning; null is S3's "null" version.
    versionId: text("version_id"),
    // For an object made by CompleteMultipartUpload: the upload it came from (a repeated Complete
    // answers as the first did) and its parts' sizes (GetObject with partNumber reads one part).
    uploadId: text("upload_id"),
    partSizes: jsonb("part_sizes").$type<number[] | null>(),
    // The object's tag set: a sub-resource, changed without touching the object's bytes or ETag.
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    lastModified: timestamp("last_modified", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.bucket, t.key] })],
);

// Noncurrent versions and delete markers of keys in versioned buckets; the current version of a
// key stays in s3_objects, so reads, listings, queries and crawlers see only current objects.
export const s3ObjectVersions = localCloud.table(
  "s3_object_versions",
  {
    // Orders a key's versions: a higher sequence is newer.
    sequence: bigserial("sequence", { mode: "number" }).primaryKey(),
    bucket: text("bucket").notNull(),
    key: text("key").notNull(),
    versionId: text("version_id").notNull(),
    isDeleteMarker: boolean("is_delete_marker").notNull().default(false),
    blob: text("blob"),
    size: bigint("size", { mode: "number" }).notNull().default(0),
    etag: text("etag"),
    contentType: text("content_type"),
    headers: jsonb("headers").$type<Record<string, string>>(),
    metadata: jsonb("metadata").$type<Record<string, string>>(),
    checksum: jsonb("checksum").$type<StoredChecksum | null>(),
    partsCount: integer("parts_count"),
    tags: jsonb("tags").$type<Record<string, string>>(),
    partSizes: jsonb("part_sizes").$type<number[] | null>(),
    lastModified: timestamp("last_modified", { withTimezone: true }).notNull(),
  },
  (t) => [uniqueIndex("s3_object_versions_key_idx").on(t.bucket, t.key, t.versionId), index("s3_object_versions_order_idx").on(t.bucket, t.key, t.sequence)],
);

export const s3MultipartUploads = localCloud.table("s3_multipart_uploads", {
  uploadId: text("upload_id").primaryKey(),
  bucket: text("bucket").notNull(),
  key: text("key").notNull(),
  contentType: text("content_type").notNull(),
  headers: jsonb("headers").$type<Record<string, string>>().notNull(),
  metadata: jsonb("metadata").$type<Record<string, string>>().notNull(),
  checksumAlgorithm: text("checksum_algorithm"),
  // x-amz-tagging given when the upload was created, for the object it completes into.
  tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  // The file the parts are written into where the object will have them (s3/assembly.ts): its
  // blob id, the size of the first part it received (every part's place is (number - 1) times
  // it), the part numbers whose place a request has taken, and whether Complete has closed it.
  assembly: text("assembly"),
  stride: bigint("stride", { mode: "number" }),
  claimed: integer("claimed")
    .array()
    .notNull()
    .default(sql`'{}'::integer[]`),
  sealed: boolean("sealed").notNull().default(false),
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
    // Where the part's bytes start in `blob` when that is the upload's assembly; null when the
    // part is a file of its own.
    offset: bigint("offset", { mode: "number" }),
  },
  (t) => [primaryKey({ columns: [t.uploadId, t.partNumber] })],
);

// Glue Data Catalog: one catalog per account and region, as on AWS (rows made before catalogs
// had regions belong to us-east-1). Definitions are kept as the API shapes them (TableInput,
// crawler settings), so Get* answers exactly what Create*/Update* were given.
export const glueDatabases = localCloud.table(
  "glue_databases",
  {
    accountId: text("account_id").notNull(),
    region: text("region").notNull().default("us-east-1"),
    name: text("name").notNull(),
    input: jsonb("input").$type<Record<string, unknown>>().notNull(),
    createTime: timestamp("create_time", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.region, t.name] })],
);

export const glueTables = localCloud.table(
  "glue_tables",
  {
    accountId: text("account_id").notNull(),
    region: text("region").notNull().default("us-east-1"),
    databaseName: text("database_name").notNull(),
    name: text("name").notNull(),
    input: jsonb("input").$type<Record<string, unknown>>().notNull(),
    createdBy: text("created_by").notNull(),
    versionId: integer("version_id").notNull().default(0),
    createTime: timestamp("create_time", { withTimezone: true }).notNull().defaultNow(),
    updateTime: timestamp("update_time", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.region, t.databaseName, t.name] })],
);

// Earlier definitions of Glue tables, one row per version an UpdateTable replaced (GetTableVersions).
export const glueTableVersions = localCloud.table(
  "glue_table_versions",
  {
    accountId: text("account_id").notNull(),
    region: text("region").notNull().default("us-east-1"),
    databaseName: text("database_name").notNull(),
    name: text("name").notNull(),
    versionId: integer("version_id").notNull(),
    input: jsonb("input").$type<Record<string, unknown>>().notNull(),
    updateTime: timestamp("update_time", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.region, t.databaseName, t.name, t.versionId] })],
);

// Partitions of Glue tables (Hive-style `key=value/` folders), one row per value list. `valuesKey`
// is the values joined by a separator no value holds, so a partition is unique per table.
export const gluePartitions = localCloud.table(
  "glue_partitions",
  {
    accountId: text("account_id").notNull(),
    region: text("region").notNull().default("us-east-1"),
    databaseName: text("database_name").notNull(),
    tableName: text("table_name").notNull(),
    valuesKey: text("values_key").notNull(),
    values: jsonb("values").$type<string[]>().notNull(),
    input: jsonb("input").$type<Record<string, unknown>>().notNull(),
    createTime: timestamp("create_time", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.region, t.databaseName, t.tableName, t.valuesKey] })],
);

export interface CrawlSummary {
  Status: "SUCCEEDED" | "CANCELLED" | "FAILED";
  ErrorMessage?: string;
  StartTime: string;
  MessagePrefix?: string;
}

export const glueCrawlers = localCloud.table(
  "glue_crawlers",
  {
    accountId: text("account_id").notNull(),
    region: text("region").notNull().default("us-east-1"),
    name: text("name").notNull(),
    input: jsonb("input").$type<Record<string, unknown>>().notNull(),
    // READY → RUNNING → STOPPING → READY, as Glue reports it.
    state: text("state").notNull().default("READY"),
    stopRequested: integer("stop_requested").notNull().default(0),
    lastCrawl: jsonb("last_crawl").$type<CrawlSummary | null>(),
    crawlStartedAt: timestamp("crawl_started_at", { withTimezone: true }),
    crawlElapsedMs: bigint("crawl_elapsed_ms", { mode: "number" }),
    version: integer("version").notNull().default(1),
    creationTime: timestamp("creation_time", { withTimezone: true }).notNull().defaultNow(),
    lastUpdated: timestamp("last_updated", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.region, t.name] })],
);

// Clean Rooms resources as documents: each kind's shape lives in its service module. One table
// keeps the many kinds (collaborations, memberships, configured tables, associations, templates)
// uniform to store, scope by account and collaboration, and find by ARN.
export const cleanroomsResources = localCloud.table(
  "cleanrooms_resources",
  {
    id: text("id").primaryKey(),
    kind: text("kind").notNull(),
    /** The account that owns the resource (the creator, the member, the table's owner). */
    accountId: text("account_id").notNull(),
    collaborationId: text("collaboration_id"),
    /** The membership a resource belongs to (associations, analysis templates). */
    membershipId: text("membership_id"),
    arn: text("arn").notNull().unique(),
    name: text("name").notNull(),
    body: jsonb("body").$type<Record<string, unknown>>().notNull(),
    tags: jsonb("tags").$type<Record<string, string>>().notNull().default({}),
    createTime: timestamp("create_time", { withTimezone: true }).notNull().defaultNow(),
    updateTime: timestamp("update_time", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("cleanrooms_resources_kind_account_idx").on(t.kind, t.accountId),
    index("cleanrooms_resources_collaboration_idx").on(t.collaborationId, t.kind),
    // An association's name is a table's name in SQL, which is case-insensitive: unique per
    // collaboration across all members, whatever the letter case, enforced by the database.
    uniqueIndex("cleanrooms_association_name_idx")
      .on(t.collaborationId, sql`lower(${t.name})`)
      .where(sql`${t.kind} = 'association'`),
  ],
);

// The privacy budget ledger: one debit per differentially private query, taken from the budget of
// the member whose tables it reads (collaboration and owner), in the same transaction that
// records the query, under that member's template's row lock. What a budget has spent is the sum
// of its debits (measurements / usersNoisePerQuery each): the spend belongs to the collaboration
// and the owner, never to a template row, so deleting, re-creating or updating a template cannot
// lower it. `templateId` only says under which template a debit was taken.
export const privacyLedger = localCloud.table(
  "privacy_ledger",
  {
    /** One debit per query: a query is never charged twice. */
    queryId: text("query_id").primaryKey(),
    templateId: text("template_id").notNull(),
    collaborationId: text("collaboration_id").notNull(),
    /** The member whose differentially private tables the query read: whose budget paid. */
    ownerAccountId: text("owner_account_id").notNull(),
    /** "2026-11" for budgets that refresh each calendar month (UTC), "ALL" for debits that never refresh. */
    period: text("period").notNull(),
    measurements: integer("measurements").notNull(),
    usersNoisePerQuery: integer("users_noise_per_query").notNull(),
    /** Set when the query was refused or cancelled before it read any row (docs/privacy.md). */
    refundedAt: timestamp("refunded_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("privacy_ledger_template_period_idx").on(t.templateId, t.period), index("privacy_ledger_owner_period_idx").on(t.collaborationId, t.ownerAccountId, t.period)],
);

// IAM roles: only what STS AssumeRole needs to decide who may act for an account. A role's trust
// policy names who may assume it (and with which external id); the local cloud authorizes every
// other request by account, so permission policies are not kept (docs/local-cloud.md).
export const iamRoles = localCloud.table(
  "iam_roles",
  {
    accountId: text("account_id").notNull(),
    /** Role names are unique per account whatever their letter case, as in IAM. */
    roleName: text("role_name").notNull(),
    roleId: text("role_id").notNull().unique(),
    path: text("path").notNull(),
    description: text("description"),
    trustPolicy: text("trust_policy").notNull(),
    maxSessionDuration: integer("max_session_duration").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.roleName] }), uniqueIndex("iam_roles_name_idx").on(t.accountId, sql`lower(${t.roleName})`)],
);

// Temporary credentials issued by STS AssumeRole. Neither the secret key nor the session token is
// stored: both derive from the key id under the server secret, as long-term keys' secrets do.
// What the role's trust policy was asked is kept, so that each request can ask it again: a
// session ends when its role is deleted or stops trusting the caller.
export const stsSessions = localCloud.table(
  "sts_sessions",
  {
    accessKeyId: text("access_key_id").primaryKey(),
    accountId: text("account_id").notNull(),
    roleName: text("role_name").notNull(),
    roleId: text("role_id").notNull(),
    sessionName: text("session_name").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    /** Who assumed the role, as its trust policy saw them: checked again on every request. */
    callerAccount: text("caller_account").notNull().default(""),
    callerArns: jsonb("caller_arns").$type<string[]>().notNull().default([]),
    externalId: text("external_id"),
    /** The temporary credentials that assumed the role, when roles were chained: they must still hold too. */
    parentAccessKeyId: text("parent_access_key_id"),
  },
  (t) => [index("sts_sessions_expiry_idx").on(t.expiresAt)],
);

// QuickSight: an account's subscription, users, data sources, data sets, analyses and dashboards,
// each kept as the API describes it (body), with its permissions. Dashboards keep every version's
// definition in the body; `version` is the latest one.
export const quicksightResources = localCloud.table(
  "quicksight_resources",
  {
    accountId: text("account_id").notNull(),
    kind: text("kind").notNull(),
    resourceId: text("resource_id").notNull(),
    name: text("name").notNull(),
    body: jsonb("body").$type<Record<string, unknown>>().notNull(),
    permissions: jsonb("permissions").$type<{ Principal: string; Actions: string[] }[]>().notNull().default([]),
    version: integer("version").notNull().default(1),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.kind, t.resourceId] })],
);
